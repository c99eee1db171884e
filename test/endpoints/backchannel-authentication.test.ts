/**
 * The CIBA backchannel authentication endpoint (OpenID Connect CIBA Core 1.0
 * §7) over real HTTP: the acknowledgement, every error of §13, the hooks
 * (login_hint_token, user_code, notifier) and the discovery metadata (§4).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CibaNotification } from '../../src/extensions/index.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { cibaRequest } from '../helpers/ciba.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const cibaClient = (clientId: string, extra: Record<string, unknown> = {}) => ({
  clientId,
  clientSecrets: [{ value: SECRET_HASH }],
  allowedGrantTypes: ['urn:openid:params:grant-type:ciba'],
  allowedScopes: ['openid', 'profile', 'email', 'api'],
  ...extra,
});

describe('backchannel authentication endpoint (CIBA §7, §13)', () => {
  let s: TestServer;
  const notified: CibaNotification[] = [];
  const ok = { scope: 'openid profile', login_hint: 'alice' };
  let clientKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    clientKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    s = await startTestServer({
      mutate: (c) => {
        c.clients!.push(
          cibaClient('ciba.ping', { backchannelTokenDeliveryMode: 'ping', backchannelClientNotificationEndpoint: 'http://127.0.0.1:9/ciba' }),
          cibaClient('ciba.usercode', { backchannelUserCodeParameter: true }),
          cibaClient('ciba.jwt', { clientSecrets: [], tokenEndpointAuthMethods: ['private_key_jwt'], jwks: { keys: [jwk] } }),
        );
      },
      options: {
        cibaNotifier: {
          async notify(n) {
            notified.push(n);
          },
        },
        cibaUserResolver: {
          async loginHintToken(token) {
            if (token === 'lht-expired') return { expired: true };
            return token === 'lht-bob' ? { subjectId: '2' } : undefined;
          },
          async verifyUserCode(subjectId, code) {
            return subjectId === '1' && code === '1234';
          },
        },
      },
    });
  });
  afterAll(() => s?.close());

  it('acknowledges with a high-entropy auth_req_id, expires_in and interval (§7.3), never cached', async () => {
    const r = await cibaRequest(s.url, { ...ok, binding_message: 'W4SCT', acr_values: 'urn:example:pin' });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('no-store');
    expect(r.body).toEqual({ auth_req_id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 300, interval: 5 });
  });

  it('calls the notifier with who, what and the binding message, but not the auth_req_id', async () => {
    const r = await cibaRequest(s.url, { ...ok, binding_message: 'NOTIFY 7' });
    const n = notified.find((x) => x.bindingMessage === 'NOTIFY 7')!;
    expect(n).toMatchObject({ clientId: 'ciba', clientName: 'CIBA client', subjectId: '1', scopes: ['openid', 'profile'], approvalUrl: `${s.url}/ui/` });
    expect(JSON.stringify(n)).not.toContain(r.body.auth_req_id as string);
  });

  it('honours requested_expiry up to ciba.maxExpiry and refuses a value that is not a positive integer', async () => {
    expect((await cibaRequest(s.url, { ...ok, requested_expiry: '120' })).body.expires_in).toBe(120);
    expect((await cibaRequest(s.url, { ...ok, requested_expiry: '999999' })).body.expires_in).toBe(1800);
    for (const bad of ['0', '-5', '1.5', 'soon']) {
      const r = await cibaRequest(s.url, { ...ok, requested_expiry: bad });
      expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    }
  });

  it('refuses a scope without openid (§7.1) and an unknown scope', async () => {
    let r = await cibaRequest(s.url, { scope: 'profile api', login_hint: 'alice' });
    expect([r.status, r.body.error, r.body.error_description]).toEqual([400, 'invalid_request', 'scope must contain openid']);
    r = await cibaRequest(s.url, { login_hint: 'alice' });
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    r = await cibaRequest(s.url, { scope: 'openid offline_access', login_hint: 'alice' });
    expect([r.status, r.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('reports refused requests as backchannel_authentication_failed events (failure outcome)', async () => {
    const seen: { type: string; outcome?: string; clientId?: string; detail?: Record<string, unknown> }[] = [];
    const stop = s.gh.events.subscribe((e) => {
      if (e.type === 'backchannel_authentication_failed') seen.push(e);
    });
    await cibaRequest(s.url, { scope: 'openid', login_hint: 'nobody-at-all' });
    stop();
    expect(seen).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        clientId: 'ciba',
        detail: { error: 'unknown_user_id', description: 'the hint does not identify a known user' },
      }),
    ]);
  });

  it('answers unknown_user_id for a hint that names nobody (§13)', async () => {
    const cases: Record<string, string>[] = [
      { scope: 'openid', login_hint: 'mallory' },
      { scope: 'openid', login_hint_token: 'lht-nobody' },
    ];
    for (const params of cases) {
      const r = await cibaRequest(s.url, params);
      expect([r.status, r.body.error]).toEqual([400, 'unknown_user_id']);
    }
  });

  it('needs exactly one of login_hint_token, id_token_hint and login_hint (§7.1)', async () => {
    const cases: Record<string, string>[] = [{ scope: 'openid' }, { scope: 'openid', login_hint: 'alice', login_hint_token: 'lht-bob' }];
    for (const params of cases) {
      const r = await cibaRequest(s.url, params);
      expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    }
  });

  it('resolves login_hint_token through the host hook; an expired one is expired_login_hint_token (§13)', async () => {
    expect((await cibaRequest(s.url, { scope: 'openid', login_hint_token: 'lht-bob' })).status).toBe(200);
    const r = await cibaRequest(s.url, { scope: 'openid', login_hint_token: 'lht-expired' });
    expect([r.status, r.body.error]).toEqual([400, 'expired_login_hint_token']);
  });

  it('refuses as id_token_hint an ID token of another client, and anything that is not our ID token', async () => {
    // An ID token of another client (interactive.confidential), and not a JWT at all.
    const flow = await authorizeWithLogin(s.url);
    const { body } = await exchangeCode(s.url, flow.code, flow.verifier);
    let r = await cibaRequest(s.url, { scope: 'openid', id_token_hint: body.id_token as string });
    expect([r.status, r.body.error, r.body.error_description]).toEqual([400, 'invalid_request', 'id_token_hint was not issued to this client']);
    r = await cibaRequest(s.url, { scope: 'openid', id_token_hint: 'not.a.jwt' });
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
  });

  it('refuses a binding_message that is too long or has characters outside plain text (§13 invalid_binding_message)', async () => {
    for (const message of ['x'.repeat(65), '<b>hi</b>', 'line\nbreak', ' padded']) {
      const r = await cibaRequest(s.url, { ...ok, binding_message: message });
      expect([r.status, r.body.error]).toEqual([400, 'invalid_binding_message']);
    }
    expect((await cibaRequest(s.url, { ...ok, binding_message: 'Überweisung #42: 10,00 €'.replace('€', 'EUR') })).status).toBe(200);
  });

  it('checks user_code for a client registered for it (§13 missing_user_code, invalid_user_code)', async () => {
    const auth = basic('ciba.usercode', 'secret');
    let r = await cibaRequest(s.url, ok, auth);
    expect([r.status, r.body.error]).toEqual([400, 'missing_user_code']);
    r = await cibaRequest(s.url, { ...ok, user_code: '0000' }, auth);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_user_code']);
    expect((await cibaRequest(s.url, { ...ok, user_code: '1234' }, auth)).status).toBe(200);
  });

  it('needs client_notification_token from a ping-mode client, in bearer token syntax (§7.1)', async () => {
    const auth = basic('ciba.ping', 'secret');
    let r = await cibaRequest(s.url, ok, auth);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    r = await cibaRequest(s.url, { ...ok, client_notification_token: 'not a token' }, auth);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    r = await cibaRequest(s.url, { ...ok, client_notification_token: 'a'.repeat(1025) }, auth);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    expect((await cibaRequest(s.url, { ...ok, client_notification_token: 'abc-123.XYZ' }, auth)).status).toBe(200);
  });

  it('authenticates confidential clients only: a public client, a wrong secret and no credentials are invalid_client (401)', async () => {
    for (const [params, auth] of [
      [{ ...ok, client_id: 'interactive.public' }, null],
      [ok, basic('ciba', 'wrong')],
      [ok, null],
    ] as const) {
      const r = await cibaRequest(s.url, params, auth);
      expect([r.status, r.body.error]).toEqual([401, 'invalid_client']);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
  });

  it('authenticates private_key_jwt clients; the assertion audience is the issuer (§7.1)', async () => {
    const assertion = (aud: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('ciba.jwt')
        .setSubject('ciba.jwt')
        .setAudience(aud)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(clientKey);
    const jwtAuth = async (aud: string) => ({
      ...ok,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(aud),
    });
    expect((await cibaRequest(s.url, await jwtAuth(s.url), null)).status).toBe(200);
    // Endpoint URLs as audience only with clientAuthentication.acceptEndpointAudience (audience injection, rfc7523bis).
    expect((await cibaRequest(s.url, await jwtAuth(`${s.url}/connect/ciba`), null)).status).toBe(401);
  });

  it('answers unauthorized_client to a client without the CIBA grant (§13)', async () => {
    const r = await cibaRequest(s.url, ok, basic('m2m', 'secret'));
    expect([r.status, r.body.error]).toEqual([400, 'unauthorized_client']);
  });

  it('refuses signed requests, repeated parameters and parameters in the query', async () => {
    const r = await cibaRequest(s.url, { ...ok, request: 'eyJhbGciOiJub25lIn0.e30.' });
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
    const body = new URLSearchParams([
      ['scope', 'openid'],
      ['login_hint', 'alice'],
      ['login_hint', 'bob'],
    ]);
    let res = await fetch(`${s.url}/connect/ciba`, {
      method: 'POST',
      headers: { authorization: basic('ciba', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
    res = await fetch(`${s.url}/connect/ciba?login_hint=alice`, {
      method: 'POST',
      headers: { authorization: basic('ciba', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=openid',
    });
    expect(res.status).toBe(400);
    res = await fetch(`${s.url}/connect/ciba`);
    expect(res.status).toBe(405);
  });

  it('is in discovery with poll and ping, user codes (a hook checks them) and no request signing (§4)', async () => {
    const meta = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta.backchannel_authentication_endpoint).toBe(`${s.url}/connect/ciba`);
    expect(meta.backchannel_token_delivery_modes_supported).toEqual(['poll', 'ping']);
    expect(meta.backchannel_user_code_parameter_supported).toBe(true);
    expect(meta).not.toHaveProperty('backchannel_authentication_request_signing_alg_values_supported');
    expect(meta.grant_types_supported).toContain('urn:openid:params:grant-type:ciba');
  });
});
