/** `gatehouse admin-client create` as a real process against SQLite: id and secret printed once, stored hashed, audited. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/client-auth/secrets.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'gh-admin-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(VITE_NODE, [MAIN, '--', ...args], { cwd: ROOT, env: { ...process.env, GATEHOUSE_DATA_DIR: dir }, encoding: 'utf8', timeout: 60_000 });

describe('gatehouse admin-client create', () => {
  it('prints the client id and secret once; SQLite keeps the hash and an audit entry', async () => {
    const db = join(dir, 'g.db');
    const config = join(dir, 'gatehouse.json');
    const demo = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(config, JSON.stringify({ ...demo, admin: { enabled: true }, store: { type: 'sqlite', sqlitePath: db } }));
    const r = run(['admin-client', 'create', '--read-only', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const id = /client_id:\s+(\S+)/.exec(r.stdout)?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(r.stdout)?.[1];
    expect(id).toMatch(/^admin-/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const backend = await createSqliteBackend({ path: db });
    try {
      const stored = JSON.stringify(await backend.records.find('registered_client', id!));
      expect(stored).not.toContain(secret);
      expect(stored).toContain(hashSecret(secret!));
      expect(stored).toContain('"allowedScopes":["gatehouse.admin.read"]');
      const audit = await backend.auditLog!.query({ resourceId: id });
      expect(audit).toEqual([expect.objectContaining({ action: 'client.create', actorSubject: 'cli', resourceType: 'client' })]);
      expect(JSON.stringify(audit)).not.toContain(hashSecret(secret!));
    } finally {
      await backend.close();
    }
  }, 120_000);

  it('answers a wrong verb or option with the usage and exit code 1', () => {
    const r = run(['admin-client', 'delete', '--config', 'config/demo.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage: gatehouse admin-client create/);
    expect(run(['admin-client', 'create', '--bogus', '--config', 'config/demo.json']).status).toBe(1);
  }, 120_000);
});
