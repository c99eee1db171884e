/**
 * PostgreSQL and Redis for the backend benchmark: a throwaway PostgreSQL
 * (initdb + pg_ctl on a temp folder and a free port, as the user postgres when
 * run as root) and a redis-server without persistence. The JavaScript twin of
 * test/helpers/postgres-server.ts and redis-server.ts.
 *
 * @example
 * const pg = await startPostgres(); const url = await pg.createDatabase('bench1'); ... pg.destroy();
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './processes.mjs';

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Why PostgreSQL cannot run here, or undefined. */
export function postgresMissing() {
  if (!which('initdb') || !which('pg_ctl')) return 'initdb/pg_ctl not on PATH';
  if (isRoot() && spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return 'root without a postgres user';
  return undefined;
}

/** Why Redis cannot run here, or undefined. */
export const redisMissing = () => (which('redis-server') ? undefined : 'redis-server not on PATH');

function run(cmd, args) {
  const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: tmpdir() });
}

export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pg-'));
  if (isRoot()) {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // Durable settings (fsync on): the figures include real commits.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `${base}/${name}`;
    },
    destroy() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const { Redis } = await import('ioredis');
  for (let i = 0; ; i++) {
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      r.disconnect();
      break;
    } catch {
      if (i > 200) throw new Error('redis-server did not start');
      await new Promise((res) => setTimeout(res, 25));
    }
  }
  return { url: `redis://127.0.0.1:${port}`, destroy: () => child.kill('SIGKILL') };
}
