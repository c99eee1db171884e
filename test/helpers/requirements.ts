/**
 * The system programs some tests need (Chromium, redis-server, PostgreSQL's
 * initdb/pg_ctl, python3 with Authlib, openssl), checked in one place.
 *
 * A test file (or one describe) that needs a program calls `requirePrograms`
 * at module level and skips when it answers a reason. A missing program then
 * prints ONE line naming the program and the command that installs it, and
 * leaves a record that the global teardown (test/helpers/global-setup.ts)
 * sums up at the end of the run. With GATEHOUSE_TEST_REQUIRE_ALL=1 (set by
 * .ci/run) a missing program throws instead, which fails the file and so the
 * run: CI never skips silently.
 *
 * @example
 * const skip = requirePrograms(['chromium']);
 * describe.skipIf(!!skip)('sign-in in Chromium', () => { ... });
 */
import { relative } from 'node:path';
import { expect, inject } from 'vitest';
import { CHECKS, type Program } from './programs.js';
import { REQUIRE_ALL, writeSkipRecord } from './skip-records.js';

export { chromiumPath, findPostgresProgram, findProgram, programUnavailable, PYTHON, type Program } from './programs.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The test file being collected, relative to the project root. */
function currentTestFile(): string {
  const path = expect.getState().testPath;
  return path ? relative(ROOT, path) : '(unknown test file)';
}

function skipDir(): string | undefined {
  try {
    return inject('gatehouseSkipDir');
  } catch {
    return undefined;
  }
}

/**
 * Checks the programs a test file (or one part of it, named by `part`) needs.
 * All present: undefined. Some missing: prints one line and records the skip
 * for the summary, then returns the reason (skip with `describe.skipIf`); with
 * GATEHOUSE_TEST_REQUIRE_ALL=1 it throws instead, failing the file.
 */
export function requirePrograms(programs: Program[], part?: string): string | undefined {
  const missing = programs.flatMap((program) => {
    const reason = CHECKS[program].check();
    return reason ? [{ program, reason, install: CHECKS[program].install }] : [];
  });
  if (missing.length === 0) return undefined;
  const file = currentTestFile();
  const where = part ? `${file} (${part})` : file;
  const what = missing.map((m) => `${m.program} missing (${m.reason}; install: ${m.install})`).join('; ');
  if (process.env[REQUIRE_ALL] === '1') {
    throw new Error(`${REQUIRE_ALL}=1, and ${where} cannot run: ${what}`);
  }
  process.stderr.write(`skipping ${where}: ${what}\n`);
  const dir = skipDir();
  if (dir) writeSkipRecord(dir, { file, part, missing });
  return what;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder of this run where skipping files leave a SkipRecord each (see global-setup.ts). */
    gatehouseSkipDir: string;
  }
}
