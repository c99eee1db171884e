/** `gatehouse migrate` and the start-up failure when the database is unreachable, as real processes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { buildDist, startGatehouseProcess } from '../helpers/gatehouse-process.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'gh-storage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(VITE_NODE, [MAIN, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, GATEHOUSE_DATA_DIR: dir, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('database unreachable at start', () => {
  it('one clear message on stderr and exit code 1, with one process or with --workers 2', async () => {
    const port = await freePort();
    const url = `postgres://gatehouse:hunter2@127.0.0.1:${port}/gatehouse`;
    for (const extra of [[], ['--workers', '2']]) {
      const r = run(['start', '--config', 'config/demo.json', ...extra], { DATABASE_URL: url });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`gatehouse: cannot reach PostgreSQL at postgres://gatehouse:***@127.0.0.1:${port}/gatehouse: ECONNREFUSED`);
      expect(r.stdout + r.stderr).not.toContain('hunter2');
    }
  }, 120_000);
});

const noPg = requirePrograms(['postgresql'], 'gatehouse migrate');

describe.skipIf(!!noPg)('gatehouse migrate', () => {
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => pg?.destroy());

  it('applies the migrations once, then reports the schema up to date; start without migrateOnStart refuses an old schema', async () => {
    const url = pg.createDatabase('cli_migrate');
    const config = join(dir, 'manual.json');
    writeFileSync(config, JSON.stringify({ store: { type: 'postgres', url, migrateOnStart: false } }));
    const refused = run(['start', '--config', config]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^gatehouse: the database schema is not up to date \(pending: 0001_initial, .*\); run `gatehouse migrate`$/);

    const first = run(['migrate', '--config', config]);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(
      'applied 7 migration(s): 0001_initial, 0002_partial_record_indexes, 0003_subject_client_index_and_config, 0004_outbox_and_record_clients, 0005_federation, 0006_user_mfa, 0007_audit_log',
    );
    expect(first.status).toBe(0);
    const second = run(['migrate', '--config', 'config/demo.json'], { DATABASE_URL: url });
    expect(second.stdout.trim()).toBe('database schema is up to date');
    expect(second.status).toBe(0);
  }, 120_000);

  it('start --workers 2 over PostgreSQL: both workers serve, flows cross them', async () => {
    buildDist(); // cluster workers re-run the entry script: the built CLI, as in production
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gh = await startGatehouseProcess({
      config: 'config/demo.json',
      port,
      dist: true,
      args: ['--workers', '2'],
      env: { DATABASE_URL: pg.createDatabase('cli_workers'), ISSUER: url, GATEHOUSE_DATA_DIR: dir },
    });
    try {
      // Keep-alive off: each request may land on either worker.
      const results = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const flow = await authorizeWithLogin(url);
          return (await exchangeCode(url, flow.code, flow.verifier)).status;
        }),
      );
      expect(results).toEqual([200, 200, 200, 200]);
      const jwks = await Promise.all(
        Array.from({ length: 4 }, async () => (await (await fetch(`${url}/.well-known/openid-configuration/jwks`)).json()) as { keys: unknown[] }),
      );
      for (const j of jwks) expect(j).toEqual(jwks[0]);
      expect(jwks[0].keys).toHaveLength(1);
    } finally {
      await gh.kill();
    }
  }, 120_000);
});
