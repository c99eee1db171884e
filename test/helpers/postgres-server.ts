/**
 * A real PostgreSQL server for tests: initdb on a temp folder, pg_ctl start on
 * loopback and a free port. Start it once per test file (beforeAll) and stop
 * it in afterAll. When initdb/pg_ctl are absent, `postgresUnavailable()` gives
 * the reason and the suite is skipped with it printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

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

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!which('initdb') || !which('pg_ctl')) return 'initdb/pg_ctl not on PATH (install postgresql)';
  if (isRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) {
    return 'running as root and there is no postgres user to run the server as';
  }
  return undefined;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root (initdb refuses root). */
function run(cmd: string, args: string[]): void {
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
      const psql = isRoot() ? ['runuser', ['-u', 'postgres', '--', 'psql']] as const : ['psql', []] as const;
      execFileSync(psql[0], [...psql[1], '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`], { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
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
