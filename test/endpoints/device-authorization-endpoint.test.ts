/**
 * The device authorization endpoint (RFC 8628 §3.1, §3.2) through real HTTP:
 * the response, client authentication, scope validation, discovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { DEVICE_GRANT, withDeviceClients } from '../helpers/device-page-flow.js';
import { post } from './helpers.js';

const PATH = '/connect/deviceauthorization';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

describe('device authorization endpoint', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => withDeviceClients(c) });
  });
  afterAll(() => s.close());
  const authorize = (params: Record<string, string | string[]>, headers: Record<string, string> = {}) => post(s.url, PATH, params, headers);

  it('answers device_code, user_code, verification URIs, expires_in and interval (§3.2), never cached', async () => {
    const r = await authorize({ client_id: 'device', scope: 'openid profile api offline_access' });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const b = r.body;
    expect(b.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.user_code).toMatch(USER_CODE);
    expect(b.verification_uri).toBe(`${s.url}/ui/device`);
    expect(b.verification_uri_complete).toBe(`${s.url}/ui/device?user_code=${b.user_code as string}`);
    // The demo's device client: codes live 90 s, interval 5 s.
    expect([b.expires_in, b.interval]).toEqual([90, 5]);
    expect(Object.keys(b).sort()).toEqual(['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
  });

  it('gives every request its own codes', async () => {
    const [a, b] = await Promise.all([authorize({ client_id: 'device' }), authorize({ client_id: 'device' })]);
    expect(a.body.device_code).not.toBe(b.body.device_code);
    expect(a.body.user_code).not.toBe(b.body.user_code);
  });

  it('authenticates a confidential client as the token endpoint does; the per-client interval and the global lifetime apply', async () => {
    const ok = await authorize({ scope: 'api' }, { authorization: basic('device.confidential', 'secret') });
    expect(ok.status).toBe(200);
    expect([ok.body.expires_in, ok.body.interval]).toEqual([300, 7]);
    const wrong = await authorize({ scope: 'api' }, { authorization: basic('device.confidential', 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const none = await authorize({ client_id: 'device.confidential', scope: 'api' });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_client');
  });

  it('refuses an unknown client, a missing client_id, and a client without the grant', async () => {
    expect((await authorize({ client_id: 'nobody' })).body.error).toBe('invalid_client');
    expect((await authorize({ scope: 'api' })).body.error).toBe('invalid_client');
    const noGrant = await authorize({ client_id: 'interactive.public', scope: 'openid' });
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.error).toBe('unauthorized_client');
  });

  it('validates scopes: unknown or not allowed is invalid_scope; none means all the client may have', async () => {
    expect((await authorize({ client_id: 'device', scope: 'openid nonsense' })).body.error).toBe('invalid_scope');
    expect((await authorize({ client_id: 'device.other', scope: 'openid profile' })).body.error).toBe('invalid_scope');
    expect((await authorize({ client_id: 'device.other', scope: 'offline_access' })).body.error).toBe('invalid_scope');
    expect((await authorize({ client_id: 'device.other' })).status).toBe(200);
  });

  it('refuses repeated parameters, parameters in the query and other methods, never with a 5xx', async () => {
    const repeated = await authorize({ client_id: 'device', scope: ['openid', 'api'] });
    expect(repeated.body).toEqual({ error: 'invalid_request', error_description: 'parameter scope must not be repeated' });
    const query = await post(s.url, `${PATH}?client_id=device`, { client_id: 'device' });
    expect(query.status).toBe(400);
    expect(query.body.error).toBe('invalid_request');
    const get = await fetch(`${s.url}${PATH}?client_id=device`);
    expect(get.status).toBe(405);
  });

  it('is in discovery with the grant type when a client has the grant', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.device_authorization_endpoint).toBe(`${s.url}${PATH}`);
    expect(doc.grant_types_supported).toContain(DEVICE_GRANT);
  });

  it('is left out of discovery when no client has the grant', async () => {
    const other = await startTestServer({
      mutate: (c) => {
        c.clients = (c.clients as { clientId: string }[]).filter((x) => x.clientId !== 'device');
      },
    });
    try {
      const doc = (await (await fetch(`${other.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(doc.device_authorization_endpoint).toBeUndefined();
      expect(doc.grant_types_supported).not.toContain(DEVICE_GRANT);
    } finally {
      await other.close();
    }
  });
});
