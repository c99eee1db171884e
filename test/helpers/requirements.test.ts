/**
 * Missing system programs: the fixture files in test/fixtures/requirements
 * run in a real vitest process with CHROMIUM_PATH pointing at a file that
 * does not exist (or exists but is not executable). Without
 * GATEHOUSE_TEST_REQUIRE_ALL they skip with one line each and the run ends
 * with the summary and exit 0; with it the run fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli-server.js';
import { skipSummary } from './skip-records.js';
import { findProgram, programUnavailable } from './requirements.js';

const dir = mkdtempSync(join(tmpdir(), 'gh-requirements-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the fixture files in a fresh vitest process (none of this run's VITEST_* variables). */
function runFixtures(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'GATEHOUSE_TEST_REQUIRE_ALL' && k !== 'NODE_OPTIONS'),
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/requirements/vitest.config.ts'], {
    cwd: ROOT,
    env: { ...clean, ...env, NO_COLOR: '1', CI: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('a missing program', () => {
  it('skips the file or the part with one line each, runs the rest, and sums the skips up at the end', () => {
    const r = runFixtures({ CHROMIUM_PATH: join(dir, 'no-such-chromium') });
    expect(r.status, r.out).toBe(0);
    const lines = r.out.split('\n').filter((l) => l.startsWith('skipping '));
    expect(lines.sort()).toEqual([
      `skipping test/fixtures/requirements/one-part.fixture.ts (the browser part): chromium missing (no executable Chromium at ${join(dir, 'no-such-chromium')}; install: apt-get install chromium (or set CHROMIUM_PATH))`,
      `skipping test/fixtures/requirements/whole-file.fixture.ts: chromium missing (no executable Chromium at ${join(dir, 'no-such-chromium')}; install: apt-get install chromium (or set CHROMIUM_PATH))`,
    ]);
    expect(r.out).toMatch(/Tests {2}1 passed \| 2 skipped/);
    // The summary comes after vitest's own totals.
    const summary = r.out.slice(r.out.indexOf('Skipped for missing system programs'));
    expect(r.out.indexOf('Skipped for missing system programs')).toBeGreaterThan(r.out.indexOf('Tests '));
    expect(summary).toContain('chromium: no executable Chromium at');
    expect(summary).toContain('install: apt-get install chromium');
    expect(summary).toContain('- test/fixtures/requirements/one-part.fixture.ts (the browser part)');
    expect(summary).toContain('- test/fixtures/requirements/whole-file.fixture.ts');
  }, 90_000);

  it('a file that is there but not executable counts as missing', () => {
    const notExecutable = join(dir, 'chromium-0644');
    writeFileSync(notExecutable, '#!/bin/sh\n', { mode: 0o644 });
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = notExecutable;
    try {
      expect(programUnavailable('chromium')).toBe(`no executable Chromium at ${notExecutable}`);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\n', { mode: 0o644 });
      expect(findProgram('redis-server')).toBeUndefined();
      expect(programUnavailable('redis-server')).toBe('redis-server not found on PATH');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('fails the run under GATEHOUSE_TEST_REQUIRE_ALL=1', () => {
    const r = runFixtures({ CHROMIUM_PATH: join(dir, 'no-such-chromium'), GATEHOUSE_TEST_REQUIRE_ALL: '1' });
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('GATEHOUSE_TEST_REQUIRE_ALL=1, and test/fixtures/requirements/whole-file.fixture.ts cannot run: chromium missing');
    expect(r.out).not.toContain('Skipped for missing system programs');
  }, 90_000);
});

describe('the summary', () => {
  it('groups the skipped files by program, with the reason and the install command once', () => {
    const lines = skipSummary([
      { file: 'test/a.test.ts', missing: [{ program: 'redis-server', reason: 'redis-server not found on PATH', install: 'apt-get install redis-server' }] },
      {
        file: 'test/b.test.ts',
        part: 'on Redis',
        missing: [
          { program: 'redis-server', reason: 'redis-server not found on PATH', install: 'apt-get install redis-server' },
          { program: 'postgresql', reason: 'initdb not found', install: 'apt-get install postgresql' },
        ],
      },
    ]);
    expect(lines).toEqual([
      'Skipped for missing system programs (2 part(s) of 2 test file(s); GATEHOUSE_TEST_REQUIRE_ALL=1 makes this a failure):',
      '  postgresql: initdb not found; install: apt-get install postgresql',
      '    - test/b.test.ts (on Redis)',
      '  redis-server: redis-server not found on PATH; install: apt-get install redis-server',
      '    - test/a.test.ts',
      '    - test/b.test.ts (on Redis)',
    ]);
    expect(skipSummary([])).toEqual([]);
  });
});
