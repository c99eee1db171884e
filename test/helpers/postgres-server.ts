/**
 * A real PostgreSQL server for tests: initdb on a temp folder, pg_ctl start on
 * loopback and a free port. Start it once per test file (beforeAll) and stop
 * it in afterAll. Test files check for the programs first with
 * `requirePrograms(['postgresql'])` (test/helpers/requirements.ts), which
 * skips them with one printed line when initdb/pg_ctl are absent. The programs
 * are looked up on PATH, then in Debian's /usr/lib/postgresql/<major>/bin.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { findPostgresProgram, programUnavailable } from './programs.js';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name: string): string;
  /** Stops the server (fast shutdown); `start()` starts it again on the same port and data. */
  stop(): void;
  start(): void;
  /** Stops the server and removes its data folder. */
  destroy(): void;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. Prints
 * and records nothing: test files use `requirePrograms(['postgresql'])`.
 */
export function postgresUnavailable(): string | undefined {
  return programUnavailable('postgresql');
}

function program(name: 'initdb' | 'pg_ctl' | 'psql'): string {
  const path = findPostgresProgram(name);
  if (!path) throw new Error(`PostgreSQL unavailable: ${name} not found (apt-get install postgresql)`);
  return path;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root (initdb refuses root). */
function run(name: 'initdb' | 'pg_ctl' | 'psql', args: string[]): void {
  const cmd = program(name);
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
}

export async function startPostgres(): Promise<PostgresServer> {
  const reason = postgresUnavailable();
  if (reason) throw new Error(`PostgreSQL unavailable: ${reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const base = `postgres://postgres@127.0.0.1:${port}`;
  let running = true;
  return {
    url: `${base}/postgres`,
    port,
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
      return `${base}/${name}`;
    },
    stop() {
      if (running) stop();
      running = false;
    },
    start() {
      if (!running) start();
      running = true;
    },
    destroy() {
      try {
        if (running) stop();
      } catch {
        /* already stopped */
      }
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
