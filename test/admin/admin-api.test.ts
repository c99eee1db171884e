/**
 * The admin API through real HTTP: token checks (none, another API's, a
 * non-admin one, read-only writing), clients (create idempotently, read,
 * list with pages and filters, replace with If-Match, rotate secrets,
 * delete), problem details, and the audit log with its NDJSON export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { runAdminClientCommand } from '../../src/cli/admin-client.js';
import { hashSecret } from '../../src/client-auth/secrets.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend } from '../../src/stores/types.js';
import type { GatehouseEvent } from '../../src/events/types.js';
import { demoConfig, startTestServer, type TestServer } from '../helpers/server.js';

const enableAdmin = (c: ConfigInput) => {
  (c as Record<string, unknown>).admin = { enabled: true, pageSize: 3 };
};

/** `gatehouse admin-client create` against the backend the server will use; its id and secret. */
async function adminClient(backend: Backend, readOnly: boolean): Promise<{ id: string; secret: string }> {
  const input = demoConfig();
  enableAdmin(input);
  const lines: string[] = [];
  const code = await runAdminClientCommand(['create', '--json', ...(readOnly ? ['--read-only'] : [])], {
    config: parseConfig(input).config,
    backend,
    out: (s) => lines.push(s),
    err: () => {},
  });
  expect(code).toBe(0);
  const { client_id, client_secret } = JSON.parse(lines[0]) as { client_id: string; client_secret: string };
  return { id: client_id, secret: client_secret };
}

async function clientCredentials(url: string, id: string, secret: string, scope: string): Promise<Response> {
  return fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
}

async function tokenOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('admin API', () => {
  let t: TestServer;
  let base: string;
  let admin: { id: string; secret: string };
  let writeToken: string;
  let readToken: string;
  let backend: Backend;
  const events: GatehouseEvent[] = [];
  const call = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return fetch(base + path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  };

  beforeAll(async () => {
    backend = createMemoryBackend();
    admin = await adminClient(backend, false);
    const reader = await adminClient(backend, true);
    t = await startTestServer({ mutate: enableAdmin, options: { backend, events: (e) => events.push(e) } });
    base = `${t.url}/admin/api/v1`;
    writeToken = await tokenOf(await clientCredentials(t.url, admin.id, admin.secret, 'gatehouse.admin'));
    readToken = await tokenOf(await clientCredentials(t.url, reader.id, reader.secret, 'gatehouse.admin.read'));
  });
  afterAll(() => t.close());

  it('gatehouse admin-client create stores the secret hashed only', async () => {
    const stored = JSON.stringify(await backend.records.find('registered_client', admin.id));
    expect(stored).not.toContain(admin.secret);
    expect(stored).toContain(hashSecret(admin.secret));
    expect(stored).toContain('"allowedScopes":["gatehouse.admin","gatehouse.admin.read"]');
  });

  describe('token checks', () => {
    it('answers a request without a token 401 with a Bearer challenge', async () => {
      const res = await call('/clients');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('answers a token of another API 401 invalid_token (wrong audience)', async () => {
      const other = await tokenOf(await clientCredentials(t.url, 'm2m', 'secret', 'api'));
      const res = await call('/clients', { token: other });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    });

    it('answers a user token without admin scopes 403 insufficient_scope', async () => {
      const res = await fetch(`${t.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'alice',
          password: 'alice',
          scope: 'openid profile',
          client_id: 'ro.client',
          client_secret: 'secret',
        }),
      });
      const userToken = await tokenOf(res);
      const refused = await call('/clients', { token: userToken });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
      expect(refused.headers.get('www-authenticate')).toMatch(/scope="gatehouse.admin"/);
    });

    it('lets a read-only token read and refuses its writes 403 insufficient_scope', async () => {
      expect((await call('/clients', { token: readToken })).status).toBe(200);
      const res = await call('/clients', { method: 'POST', token: readToken, json: { clientId: 'x' } });
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    });

    it('the admin scopes are not advertised in discovery', async () => {
      const doc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
      expect(doc.scopes_supported).not.toContain('gatehouse.admin');
    });
  });

  describe('clients', () => {
    const body = { clientId: 'svc.billing', clientName: 'Billing', allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'] };
    let secret: string;
    let etag: string;

    it('creates a client, answers its secret once, and the client then gets a token', async () => {
      const res = await call('/clients', { method: 'POST', token: writeToken, json: body });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`${base}/clients/svc.billing`);
      const created = (await res.json()) as Record<string, unknown>;
      expect(created).toMatchObject({ clientId: 'svc.billing', source: 'admin', readOnly: false });
      expect(created.secrets).toEqual([expect.objectContaining({ type: 'SharedSecret', expiration: expect.any(String) })]);
      expect(JSON.stringify(created.secrets)).not.toContain('value');
      secret = created.clientSecret as string;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      etag = res.headers.get('etag')!;
      expect((await clientCredentials(t.url, 'svc.billing', secret, 'api')).status).toBe(200);
    });

    it('a repeated create with the same body is idempotent (200, no new secret); another body under the id is 409', async () => {
      const again = await call('/clients', { method: 'POST', token: writeToken, json: body });
      expect(again.status).toBe(200);
      expect(again.headers.get('etag')).toBe(etag);
      expect(((await again.json()) as Record<string, unknown>).clientSecret).toBeUndefined();
      const other = await call('/clients', { method: 'POST', token: writeToken, json: { ...body, clientName: 'Other' } });
      expect(other.status).toBe(409);
      expect(other.headers.get('content-type')).toBe('application/problem+json');
    });

    it('reads a client with its ETag; an unknown one is 404 problem+json', async () => {
      const res = await call('/clients/svc.billing', { token: readToken });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(etag);
      const missing = await call('/clients/nope', { token: readToken });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404, instance: '/admin/api/v1/clients/nope' });
    });

    it('answers invalid clients 422 with the JSON pointer and path of every problem', async () => {
      const res = await call('/clients', {
        method: 'POST',
        token: writeToken,
        json: { clientId: '', redirectUris: ['https://ok.example/cb', 'not a uri'], accessTokenLifetime: 'soon', unknownSetting: 1 },
      });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as { errors: { pointer: string; path: string; detail: string }[] };
      const pointers = problem.errors.map((e) => e.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/clientId', '/redirectUris/1', '/accessTokenLifetime']));
      expect(problem.errors.find((e) => e.pointer === '/redirectUris/1')?.path).toBe('redirectUris[1]');
      expect(problem.errors.some((e) => /unknownSetting/.test(e.detail))).toBe(true);
    });

    it('answers malformed JSON 400 and a non-JSON body 415, never a 5xx', async () => {
      const bad = await call('/clients', { method: 'POST', token: writeToken, headers: { 'content-type': 'application/json' }, body: '{"clientId":' });
      expect(bad.status).toBe(400);
      const form = await call('/clients', { method: 'POST', token: writeToken, headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect(form.status).toBe(415);
      const cursor = await call('/clients?cursor=%%%', { token: readToken });
      expect(cursor.status).toBe(400);
      const limit = await call('/clients?limit=-1', { token: readToken });
      expect(limit.status).toBe(400);
      const unknown = await call('/nothing-here', { token: readToken });
      expect(unknown.status).toBe(404);
      const method = await call('/clients/svc.billing/secrets', { token: readToken });
      expect(method.status).toBe(405);
      expect(method.headers.get('allow')).toBe('POST');
    });

    it('replaces a client only with a current If-Match: missing 428, stale 412', async () => {
      const update = { ...body, clientName: 'Billing v2' };
      const missing = await call('/clients/svc.billing', { method: 'PUT', token: writeToken, json: update });
      expect(missing.status).toBe(428);
      const stale = await call('/clients/svc.billing', { method: 'PUT', token: writeToken, json: update, headers: { 'if-match': '"stale"' } });
      expect(stale.status).toBe(412);
      const ok = await call('/clients/svc.billing', { method: 'PUT', token: writeToken, json: update, headers: { 'if-match': etag } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as Record<string, unknown>).clientName).toBe('Billing v2');
      const next = ok.headers.get('etag')!;
      expect(next).not.toBe(etag);
      // The old ETag is stale now: a second writer that read before the change is refused.
      const late = await call('/clients/svc.billing', { method: 'PUT', token: writeToken, json: body, headers: { 'if-match': etag } });
      expect(late.status).toBe(412);
      etag = next;
      // The secret survives a replace.
      expect((await clientCredentials(t.url, 'svc.billing', secret, 'api')).status).toBe(200);
    });

    it('rotates a secret: the new one is shown once and works; replaceExisting retires the old one', async () => {
      const res = await call('/clients/svc.billing/secrets', { method: 'POST', token: writeToken, json: { expiresIn: 3600, replaceExisting: true } });
      expect(res.status).toBe(201);
      const rotated = (await res.json()) as { secret: string; expiration: string };
      expect(Date.parse(rotated.expiration)).toBe((t.clock.now() + 3600) * 1000);
      expect((await clientCredentials(t.url, 'svc.billing', rotated.secret, 'api')).status).toBe(200);
      expect((await clientCredentials(t.url, 'svc.billing', secret, 'api')).status).toBe(401);
      etag = res.headers.get('etag')!;
    });

    it('keeps configured clients read-only (409) and lists them first', async () => {
      const put = await call('/clients/m2m', { method: 'PUT', token: writeToken, json: { clientId: 'm2m' }, headers: { 'if-match': '*' } });
      expect(put.status).toBe(409);
      expect(((await put.json()) as { detail: string }).detail).toMatch(/configuration file/);
      expect((await call('/clients/m2m', { method: 'DELETE', token: writeToken })).status).toBe(409);
      expect((await call('/clients/m2m/secrets', { method: 'POST', token: writeToken })).status).toBe(409);
      const read = (await (await call('/clients/m2m', { token: readToken })).json()) as Record<string, unknown>;
      expect(read).toMatchObject({ clientId: 'm2m', source: 'configuration', readOnly: true });
    });

    it('pages the list with next links until every client was seen once, and filters', async () => {
      const seen: string[] = [];
      let url: string | undefined = `${base}/clients`;
      while (url) {
        const res = await fetch(url, { headers: { authorization: `Bearer ${readToken}` } });
        const page = (await res.json()) as { items: { clientId: string }[]; next?: string };
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((c) => c.clientId));
        url = page.next;
      }
      const configured = demoConfig().clients!.map((c) => c.clientId);
      expect(seen.slice(0, configured.length)).toEqual(configured);
      // Stored clients in creation order (the two CLI clients share a second: then by id).
      expect(seen.slice(configured.length)).toEqual([expect.stringMatching(/^admin-/), expect.stringMatching(/^admin-/), 'svc.billing']);
      expect(seen).toContain(admin.id);
      const filtered = (await (await call('/clients?source=admin&q=billing', { token: readToken })).json()) as { items: { clientId: string }[] };
      expect(filtered.items.map((c) => c.clientId)).toEqual(['svc.billing']);
    });

    it('refuses to delete the client the caller token was issued to', async () => {
      const res = await call(`/clients/${admin.id}`, { method: 'DELETE', token: writeToken });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/your token was issued to/);
    });

    it('deletes with If-Match (stale 412), after which the client gets no token', async () => {
      expect((await call('/clients/svc.billing', { method: 'DELETE', token: writeToken, headers: { 'if-match': '"stale"' } })).status).toBe(412);
      const res = await call('/clients/svc.billing', { method: 'DELETE', token: writeToken, headers: { 'if-match': etag } });
      expect(res.status).toBe(204);
      expect((await call('/clients/svc.billing', { token: readToken })).status).toBe(404);
    });
  });

  describe('audit log', () => {
    it('holds every change with who, what, before/after without secrets, when and from where', async () => {
      const res = await call('/audit?resourceId=svc.billing&limit=50', { token: readToken });
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Record<string, unknown>[] };
      expect(items.map((e) => e.action)).toEqual(['client.create', 'client.update', 'client.secret.rotate', 'client.delete']);
      for (const e of items) expect(e).toMatchObject({ actorClientId: admin.id, address: '127.0.0.1', resourceType: 'client', time: t.clock.now() });
      expect(items[1].before).toMatchObject({ clientName: 'Billing' });
      expect(items[1].after).toMatchObject({ clientName: 'Billing v2' });
      const text = JSON.stringify(items);
      expect(text).not.toMatch(/clientSecret|"value"/);
    });

    it('includes the CLI-made admin clients, filters by actor, and pages', async () => {
      const cli = (await (await call('/audit?actor=cli', { token: readToken })).json()) as { items: { resourceId: string }[] };
      expect(cli.items.map((e) => e.resourceId)).toContain(admin.id);
      const first = (await (await call('/audit?limit=2', { token: readToken })).json()) as { items: { id: string }[]; next: string };
      expect(first.items).toHaveLength(2);
      const second = (await (await fetch(first.next, { headers: { authorization: `Bearer ${readToken}` } })).json()) as { items: { id: string }[] };
      expect(second.items[0].id > first.items[1].id).toBe(true);
    });

    it('exports as NDJSON', async () => {
      const res = await call('/audit/export?action=client.delete', { token: readToken });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = (await res.text()).trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { resourceId: string }).resourceId)).toEqual(['svc.billing']);
    });

    it('sends admin changes to the event sinks', () => {
      const changes = events.filter((e) => e.type === 'admin_change');
      expect(changes.map((e) => e.detail?.action)).toEqual(['client.create', 'client.update', 'client.secret.rotate', 'client.delete']);
      expect(changes[0]).toMatchObject({ clientId: admin.id, detail: { resourceId: 'svc.billing', address: '127.0.0.1' } });
    });
  });

  it('serves its OpenAPI 3.1 document without a token', async () => {
    const res = await call('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; servers: { url: string }[] };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0].url).toBe(base);
  });
});

describe('admin API off (the default)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('serves no admin routes and defines no admin scope', async () => {
    expect((await fetch(`${t.url}/admin/api/v1/clients`)).status).toBe(404);
    expect((await fetch(`${t.url}/admin/api/v1/openapi.json`)).status).toBe(404);
    expect(t.gh.context.resources.apiScopes.has('gatehouse.admin')).toBe(false);
  });
});
