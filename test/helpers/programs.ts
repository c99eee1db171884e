/**
 * The system programs some tests and scripts need, and how to find them.
 * No vitest import: scripts run outside vitest (scripts/cluster-kill.mjs)
 * import the server fixtures that use this. Checks that skip a test file:
 * requirements.ts.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Program = 'chromium' | 'redis-server' | 'postgresql' | 'python3-authlib' | 'openssl';

/** The Python that the interop test runs (Debian's, where python3-authlib installs). */
export const PYTHON = '/usr/bin/python3';

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

export const CHECKS: Record<Program, Check> = {
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
      if (isRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0)
        return 'running as root and there is no postgres user to run the server as';
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
