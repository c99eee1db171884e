/** The admin API's users, sessions and signing keys through real HTTP, each change in the audit log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { runAdminClientCommand } from '../../src/cli/admin-client.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { authorizeWithLogin } from '../helpers/flow.js';
import { demoConfig, startTestServer, type TestServer } from '../helpers/server.js';

const enableAdmin = (c: ConfigInput) => {
  (c as Record<string, unknown>).admin = { enabled: true };
};

describe('admin API: users, sessions, keys', () => {
  let t: TestServer;
  let token: string;
  const call = (path: string, init: { method?: string; json?: unknown } = {}) =>
    fetch(`${t.url}/admin/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
    });
  const passwordGrant = (username: string, password: string) =>
    fetch(`${t.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid', client_id: 'ro.client', client_secret: 'secret' }),
    });

  beforeAll(async () => {
    const backend = createMemoryBackend();
    const input = demoConfig();
    enableAdmin(input);
    const out: string[] = [];
    await runAdminClientCommand(['create', '--json'], { config: parseConfig(input).config, backend, out: (s) => out.push(s), err: () => {} });
    const { client_id, client_secret } = JSON.parse(out[0]) as { client_id: string; client_secret: string };
    t = await startTestServer({ mutate: enableAdmin, options: { backend } });
    const res = await fetch(`${t.url}/connect/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'gatehouse.admin' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => t.close());

  it('creates a user who can then sign in; a taken username is 409; an invalid body 422 with paths', async () => {
    const res = await call('/users', {
      method: 'POST',
      json: { username: 'dave', password: 'first pass', subjectId: 'sub-dave', claims: { email: 'carol@example.com' } },
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as Record<string, unknown>;
    expect(user).toMatchObject({ subjectId: 'sub-dave', username: 'dave', isActive: true });
    expect(JSON.stringify(user)).not.toMatch(/password/i);
    expect((await passwordGrant('dave', 'first pass')).status).toBe(200);
    expect((await call('/users', { method: 'POST', json: { username: 'dave', password: 'x' } })).status).toBe(409);
    const bad = await call('/users', { method: 'POST', json: { username: '', password: 7 } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort()).toEqual(['/password', '/username']);
    expect((await call('/users/sub-dave')).status).toBe(200);
    expect((await call('/users/nobody')).status).toBe(404);
  });

  it('resets a password: the old one fails, the new one works', async () => {
    const res = await call('/users/sub-dave/password', { method: 'POST', json: { password: 'second pass' } });
    expect(res.status).toBe(204);
    expect((await passwordGrant('dave', 'first pass')).status).toBe(400);
    expect((await passwordGrant('dave', 'second pass')).status).toBe(200);
  });

  it('lists the sessions of a user and ends one', async () => {
    await authorizeWithLogin(t.url, { username: 'dave', password: 'second pass' });
    const list = (await (await call('/sessions?subjectId=sub-dave')).json()) as { items: { sid: string }[] };
    expect(list.items).toHaveLength(1);
    expect((await call('/sessions')).status).toBe(400);
    expect((await call(`/sessions/${list.items[0].sid}`, { method: 'DELETE' })).status).toBe(204);
    expect(((await (await call('/sessions?subjectId=sub-dave')).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await call(`/sessions/${list.items[0].sid}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('disables a user (sign-in refused, sessions ended) and enables again', async () => {
    await authorizeWithLogin(t.url, { username: 'dave', password: 'second pass' });
    const res = await call('/users/sub-dave/disable', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { isActive: boolean }).isActive).toBe(false);
    expect(((await (await call('/sessions?subjectId=sub-dave')).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await passwordGrant('dave', 'second pass')).status).toBe(400);
    expect((await call('/users/sub-dave/enable', { method: 'POST' })).status).toBe(200);
    expect((await passwordGrant('dave', 'second pass')).status).toBe(200);
  });

  it('lists signing keys and rotates them', async () => {
    const before = (await (await call('/keys')).json()) as { items: { kid: string; status: string }[] };
    expect(before.items.length).toBeGreaterThan(0);
    const res = await call('/keys/rotate', { method: 'POST' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { items: { kid: string }[] };
    const after = (await (await call('/keys')).json()) as { items: { kid: string }[] };
    expect(after.items.map((k) => k.kid)).toEqual(expect.arrayContaining([...before.items.map((k) => k.kid), ...created.items.map((k) => k.kid)]));
  });

  it('deletes a user (stale If-Match 412): sign-in refused, then 404', async () => {
    expect((await call('/users', { method: 'POST', json: { username: 'erin', password: 'erin pass', subjectId: 'sub-erin' } })).status).toBe(201);
    await authorizeWithLogin(t.url, { username: 'erin', password: 'erin pass' });
    const stale = await fetch(`${t.url}/admin/api/v1/users/sub-erin`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'if-match': '"old"' } });
    expect(stale.status).toBe(412);
    expect((await call('/users/sub-erin', { method: 'DELETE' })).status).toBe(204);
    expect((await passwordGrant('erin', 'erin pass')).status).toBe(400);
    expect(((await (await call('/sessions?subjectId=sub-erin')).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await call('/users/sub-erin', { method: 'DELETE' })).status).toBe(404);
  });

  it('wrote every change to the audit log, without passwords', async () => {
    const { items } = (await (await call('/audit?limit=50')).json()) as { items: { action: string }[] };
    expect(items.map((e) => e.action)).toEqual([
      'client.create',
      'user.create',
      'user.password.reset',
      'session.end',
      'user.disable',
      'user.enable',
      'key.rotate',
      'user.create',
      'user.delete',
    ]);
    expect(JSON.stringify(items)).not.toMatch(/pass"|argon2/);
  });
});
