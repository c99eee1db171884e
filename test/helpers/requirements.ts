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
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { expect, inject } from 'vitest';
import { REQUIRE_ALL, writeSkipRecord } from './skip-records.js';

export type Program = 'chromium' | 'redis-server' | 'postgresql' | 'python3-authlib' | 'openssl';

/** The Python that the interop test runs (Debian's, where python3-authlib installs). */
export const PYTHON = '/usr/bin/python3';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Where Debian puts PostgreSQL's server programs (outside PATH): /usr/lib/postgresql/<major>/bin. */
function postgresBinDirs(): string[] {
  try {
    return readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    return [];
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The absolute path of an executable program: the first executable file of
 * that name on PATH, then in `extraDirs`; undefined when there is none.
 */
export function findProgram(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (isExecutableFile(path)) return path;
  }
  return undefined;
}

/** The PostgreSQL programs (initdb, pg_ctl, psql): on PATH, else Debian's versioned folder. */
export function findPostgresProgram(name: 'initdb' | 'pg_ctl' | 'psql'): string | undefined {
  return findProgram(name, postgresBinDirs());
}

/** The Chromium the browser tests drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface Check {
  install: string;
  /** Why the program cannot be used here, or undefined when it can. */
  check(): string | undefined;
}

const CHECKS: Record<Program, Check> = {
  chromium: {
    install: 'apt-get install chromium (or set CHROMIUM_PATH)',
    check() {
      const path = chromiumPath();
      return isExecutableFile(path) ? undefined : `no executable Chromium at ${path}`;
    },
  },
  'redis-server': {
    install: 'apt-get install redis-server',
    check: () => (findProgram('redis-server') ? undefined : 'redis-server not found on PATH'),
  },
  postgresql: {
    install: 'apt-get install postgresql',
    check() {
      const absent = (['initdb', 'pg_ctl'] as const).filter((p) => !findPostgresProgram(p));
      if (absent.length > 0) return `${absent.join(' and ')} not found on PATH or in /usr/lib/postgresql/*/bin`;
      // initdb refuses to run as root; the helper runs it as the postgres user, which the package creates.
      if (isRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return 'running as root and there is no postgres user to run the server as';
      return undefined;
    },
  },
  'python3-authlib': {
    install: 'apt-get install python3-authlib python3-requests',
    check() {
      if (!isExecutableFile(PYTHON)) return `no executable ${PYTHON}`;
      const r = spawnSync(PYTHON, ['-c', 'import authlib, requests'], { stdio: 'ignore', timeout: 30_000 });
      return r.status === 0 ? undefined : `${PYTHON} cannot import authlib and requests`;
    },
  },
  openssl: {
    install: 'apt-get install openssl',
    check: () => (findProgram('openssl') ? undefined : 'openssl not found on PATH'),
  },
};

/** Why `program` cannot be used here, or undefined when it can. Prints and records nothing. */
export function programUnavailable(program: Program): string | undefined {
  return CHECKS[program].check();
}

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
