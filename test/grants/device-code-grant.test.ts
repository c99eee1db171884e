/**
 * The device code grant (RFC 8628 §3.4, §3.5) through real HTTP: polling
 * before a decision (authorization_pending, slow_down with the interval
 * growing by 5 s), approval (ID, access and refresh tokens), denial
 * (access_denied), expiry (expired_token), a code of another client and a
 * reused code (invalid_grant), concurrent redemptions (one winner).
 * Time moves with the injected clock; nothing sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { approveOnDevicePage, DEVICE_GRANT, withDeviceClients } from '../helpers/device-page-flow.js';
import { introspectAsApi, post, token } from '../endpoints/helpers.js';

describe('device code grant', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => withDeviceClients(c) });
  });
  afterAll(() => s.close());

  const start = async (clientId = 'device', scope = 'openid profile api offline_access', headers: Record<string, string> = {}) => {
    const r = await post(s.url, '/connect/deviceauthorization', headers.authorization ? { scope } : { client_id: clientId, scope }, headers);
    expect(r.status).toBe(200);
    return r.body as { device_code: string; user_code: string; interval: number; expires_in: number };
  };
  const poll = (deviceCode: string, clientId = 'device', headers: Record<string, string> = {}) =>
    token(s.url, { grant_type: DEVICE_GRANT, device_code: deviceCode, ...(headers.authorization ? {} : { client_id: clientId }) }, headers);

  it('answers authorization_pending, then slow_down when polled sooner than the interval, which grows by 5 s each time', async () => {
    const a = await start();
    const first = await poll(a.device_code);
    expect(first.status).toBe(400);
    expect(first.body.error).toBe('authorization_pending');
    expect(first.headers.get('cache-control')).toBe('no-store');
    // At once again: too fast for the 5 s interval.
    const fast = await poll(a.device_code);
    expect(fast.body.error).toBe('slow_down');
    // The interval is now 10 s: 5 s later is still too fast (and makes it 15 s).
    s.clock.advance(5);
    expect((await poll(a.device_code)).body.error).toBe('slow_down');
    s.clock.advance(14);
    expect((await poll(a.device_code)).body.error).toBe('slow_down');
    // Waiting the full 20 s now in force is fine again.
    s.clock.advance(20);
    expect((await poll(a.device_code)).body.error).toBe('authorization_pending');
  });

  it('issues ID, access and refresh tokens once the user approved; the code is then used up', async () => {
    const a = await start();
    expect((await poll(a.device_code)).body.error).toBe('authorization_pending');
    const page = await approveOnDevicePage(s.url, a.user_code, { username: 'bob' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your device is connected');
    const r = await poll(a.device_code);
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('Bearer');
    expect(r.body.scope).toBe('openid profile api offline_access');
    expect(typeof r.body.refresh_token).toBe('string');
    const id = decodeJwt(r.body.id_token as string);
    expect([id.sub, id.aud, id.iss]).toEqual(['2', 'device', s.url]);
    expect(id.amr).toEqual(['pwd']);
    expect(id.sid).toBeUndefined();
    const at = decodeJwt(r.body.access_token as string);
    expect([at.sub, at.client_id, at.aud]).toEqual(['2', 'device', 'api']);

    // The refresh token works like any other (one-time use, rotated).
    const refreshed = await token(s.url, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token as string, client_id: 'device' });
    expect(refreshed.status).toBe(200);

    const again = await poll(a.device_code);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('a redeemed device code presented again revokes what it issued (access and refresh token)', async () => {
    const a = await start();
    await approveOnDevicePage(s.url, a.user_code);
    const r = await poll(a.device_code);
    expect(r.status).toBe(200);
    expect((await introspectAsApi(s.url, r.body.access_token as string)).body.active).toBe(true);
    const replay = await poll(a.device_code);
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: 'device code has already been used' });
    expect((await introspectAsApi(s.url, r.body.access_token as string)).body.active).toBe(false);
    const refreshed = await token(s.url, { grant_type: 'refresh_token', refresh_token: r.body.refresh_token as string, client_id: 'device' });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('grants only the scopes the user consented to', async () => {
    const a = await start('device', 'openid api');
    await approveOnDevicePage(s.url, a.user_code, { username: 'alice' });
    const r = await poll(a.device_code);
    expect(r.body.scope).toBe('openid api');
    expect(r.body.refresh_token).toBeUndefined();
    expect(decodeJwt(r.body.access_token as string).sub).toBe('1');
  });

  it('answers access_denied (400) after the user denied, on every poll', async () => {
    const a = await start();
    const page = await approveOnDevicePage(s.url, a.user_code, { decision: 'deny' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Access denied');
    for (let i = 0; i < 2; i++) {
      const r = await poll(a.device_code);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('access_denied');
    }
  });

  it('answers expired_token once the device code expired, approved or not', async () => {
    const a = await start();
    const b = await start();
    await approveOnDevicePage(s.url, b.user_code);
    s.clock.advance(a.expires_in);
    expect((await poll(a.device_code)).body.error).toBe('expired_token');
    expect((await poll(b.device_code)).body.error).toBe('expired_token');
  });

  it('refuses the device code of another client, an unknown one and a missing one', async () => {
    const a = await start();
    const other = await poll(a.device_code, 'device.other');
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('invalid_grant');
    expect((await poll('x'.repeat(43))).body.error).toBe('invalid_grant');
    const missing = await token(s.url, { grant_type: DEVICE_GRANT, client_id: 'device' });
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: 'missing required parameter: device_code' });
    // The refused attempt of the other client did not spoil the code for its own client.
    expect((await poll(a.device_code)).body.error).toBe('authorization_pending');
  });

  it('refuses a client without the grant, and a confidential client that does not authenticate', async () => {
    const a = await start('device.confidential', 'api', { authorization: basic('device.confidential', 'secret') });
    const unauth = await poll(a.device_code, 'device.confidential');
    expect(unauth.status).toBe(401);
    expect(unauth.body.error).toBe('invalid_client');
    expect((await poll(a.device_code, '', { authorization: basic('device.confidential', 'secret') })).body.error).toBe('authorization_pending');
    const noGrant = await token(s.url, { grant_type: DEVICE_GRANT, device_code: a.device_code, client_id: 'interactive.public' });
    expect(noGrant.body.error).toBe('unauthorized_client');
  });

  it('gives tokens to exactly one of many concurrent polls of an approved code', async () => {
    const a = await start();
    await approveOnDevicePage(s.url, a.user_code);
    const answers = await Promise.all(Array.from({ length: 10 }, () => poll(a.device_code)));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    expect(answers.filter((r) => r.status !== 200).map((r) => r.body.error)).toEqual(Array(9).fill('invalid_grant'));
  });
});
