/**
 * The CIBA grant (OpenID Connect CIBA Core 1.0 §10, token errors §11) end to
 * end over real HTTP: poll mode and ping mode (a real loopback server receives
 * the ping), the user approving or denying on the home page, expiry (the
 * injected clock), slow_down, and auth_req_ids of another client or used twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type CookieJar, type TestServer } from '../helpers/server.js';
import { drainPingOutbox, PING_KIND } from '../../src/ciba/ping-notification.js';
import { cibaPoll, cibaRequest, decide, decideOnHomePage, homePage, jwtClaims, signedInBrowser } from '../helpers/ciba.js';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const cibaClient = (clientId: string, extra: Record<string, unknown> = {}) => ({
  clientId,
  clientSecrets: [{ value: SECRET_HASH }],
  allowedGrantTypes: ['urn:openid:params:grant-type:ciba'],
  allowedScopes: ['openid', 'profile', 'email', 'api'],
  ...extra,
});

interface Ping {
  authorization?: string;
  contentType?: string;
  body: unknown;
}

describe('CIBA grant (poll and ping)', () => {
  let s: TestServer;
  let receiver: http.Server;
  const pings: Ping[] = [];
  let onPing: (() => void) | undefined;
  let failNext = 0;
  let refused = 0;
  let notifyUrl = '';
  let alice: CookieJar;
  let bob: CookieJar;

  beforeAll(async () => {
    // The client's notification endpoint (ping mode, §10.2): answers 204 like a client should.
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          refused++;
          res.writeHead(503).end();
          return;
        }
        pings.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(body) as unknown });
        res.writeHead(204).end();
        onPing?.();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const notify = (notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ciba/notify`);
    s = await startTestServer({
      mutate: (c) => {
        c.clients!.push(
          cibaClient('ciba.ping', { clientName: 'Ping client', backchannelTokenDeliveryMode: 'ping', backchannelClientNotificationEndpoint: notify }),
          cibaClient('ciba.other'),
        );
      },
    });
    [alice, bob] = await Promise.all([signedInBrowser(s.url, 'alice'), signedInBrowser(s.url, 'bob')]);
  });
  afterAll(async () => {
    await s?.close();
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
  });

  it('poll mode: pending until the user approves on the home page, then tokens once (single use)', async () => {
    const start = await cibaRequest(s.url, { scope: 'openid profile api', login_hint: 'alice', binding_message: 'POLL 1' });
    expect(start.status).toBe(200);
    const id = start.body.auth_req_id as string;

    let r = await cibaPoll(s.url, id);
    expect([r.status, r.body.error]).toEqual([400, 'authorization_pending']);

    // The signed-in user sees the request: client name, binding message, scopes.
    const { forms } = await homePage(s.url, alice);
    const form = forms.find((f) => f.html.includes('POLL 1'))!;
    expect(form.html).toContain('CIBA client asks you to sign in');
    expect(form.html).toContain('openid profile api');
    // Bob's home page does not show alice's request.
    expect((await homePage(s.url, bob)).forms.some((f) => f.html.includes('POLL 1'))).toBe(false);
    expect(await decide(s.url, alice, form, 'approve')).toBe(303);
    expect((await homePage(s.url, alice)).forms.some((f) => f.html.includes('POLL 1'))).toBe(false);

    s.clock.advance(5);
    r = await cibaPoll(s.url, id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile api', expires_in: 3600 });
    expect(r.body).not.toHaveProperty('refresh_token');
    const idToken = jwtClaims(r.body.id_token as string);
    expect(idToken).toMatchObject({ iss: s.url, sub: '1', aud: 'ciba', amr: ['pwd'] });
    expect(typeof idToken.auth_time).toBe('number');
    expect(jwtClaims(r.body.access_token as string)).toMatchObject({ sub: '1', client_id: 'ciba', aud: 'api' });

    const tokens = r.body;

    // §10.1: the auth_req_id is spent.
    r = await cibaPoll(s.url, id);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);

    // The ID token is a good id_token_hint for the next request of the same client (§7.1): it names alice.
    const hinted = await cibaRequest(s.url, { scope: 'openid', id_token_hint: tokens.id_token as string, binding_message: 'HINT 1' });
    expect(hinted.status).toBe(200);
    expect((await homePage(s.url, alice)).forms.some((f) => f.html.includes('HINT 1'))).toBe(true);
  });

  it('answers access_denied when the user denies, then invalid_grant (§11)', async () => {
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'bob', binding_message: 'DENY 1' });
    await decideOnHomePage(s.url, bob, 'DENY 1', 'deny');
    let r = await cibaPoll(s.url, start.body.auth_req_id as string);
    expect([r.status, r.body.error]).toEqual([400, 'access_denied']);
    r = await cibaPoll(s.url, start.body.auth_req_id as string);
    expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
  });

  it('answers slow_down when polled within the interval, growing it by 5 seconds each time (§11)', async () => {
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'alice', binding_message: 'SLOW 1' });
    const id = start.body.auth_req_id as string;
    const failed: string[] = [];
    const stop = s.gh.events.on('token_failed', (e) => void failed.push(e.error));
    expect((await cibaPoll(s.url, id)).body.error).toBe('authorization_pending');
    expect((await cibaPoll(s.url, id)).body.error).toBe('slow_down'); // at once: interval is now 10
    // Waiting for the user is the normal state (no failure event, so no warning per poll); polling too fast is reported.
    stop();
    expect(failed).toEqual(['slow_down']);
    s.clock.advance(5);
    expect((await cibaPoll(s.url, id)).body.error).toBe('slow_down'); // 5 < 10: interval is now 15
    s.clock.advance(15);
    expect((await cibaPoll(s.url, id)).body.error).toBe('authorization_pending');
  });

  it('answers expired_token after expires_in, and the home page no longer offers the request (§11)', async () => {
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'alice', binding_message: 'EXPIRE 1', requested_expiry: '60' });
    expect(start.body.expires_in).toBe(60);
    const before = (await homePage(s.url, alice)).forms.find((f) => f.html.includes('EXPIRE 1'))!;
    s.clock.advance(61);
    expect((await homePage(s.url, alice)).forms.some((f) => f.html.includes('EXPIRE 1'))).toBe(false);
    // A stale form approves nothing.
    expect(await decide(s.url, alice, before, 'approve')).toBe(303);
    const r = await cibaPoll(s.url, start.body.auth_req_id as string);
    expect([r.status, r.body.error]).toEqual([400, 'expired_token']);
  });

  it("refuses another client's auth_req_id and an unknown one with invalid_grant (§11)", async () => {
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'alice', binding_message: 'OTHER 1' });
    let r = await cibaPoll(s.url, start.body.auth_req_id as string, 'ciba.other');
    expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
    r = await cibaPoll(s.url, 'A'.repeat(43));
    expect([r.status, r.body.error]).toEqual([400, 'invalid_grant']);
    r = await cibaPoll(s.url, start.body.auth_req_id as string, 'm2m');
    expect([r.status, r.body.error]).toEqual([400, 'unauthorized_client']);
    // The right client still finds it pending: the failed attempts changed nothing.
    expect((await cibaPoll(s.url, start.body.auth_req_id as string)).body.error).toBe('authorization_pending');
  });

  it("only the request's user decides, with the form's CSRF token, and only once", async () => {
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'alice', binding_message: 'CSRF 1' });
    const form = (await homePage(s.url, alice)).forms.find((f) => f.html.includes('CSRF 1'))!;
    // A forged form (no valid CSRF token) and bob's session change nothing.
    expect(await decide(s.url, alice, { id: form.id, csrf: 'forged' }, 'approve')).toBe(303);
    const bobCsrf = (await (await bob.fetch(`${s.url}/ui/`)).text()).match(/name="csrf" value="([^"]*)"/)![1];
    expect(await decide(s.url, bob, { id: form.id, csrf: bobCsrf }, 'approve')).toBe(303);
    expect((await cibaPoll(s.url, start.body.auth_req_id as string)).body.error).toBe('authorization_pending');
    // Deny, then a replayed approve: the first decision stands.
    expect(await decide(s.url, alice, form, 'deny')).toBe(303);
    expect(await decide(s.url, alice, form, 'approve')).toBe(303);
    s.clock.advance(5);
    expect((await cibaPoll(s.url, start.body.auth_req_id as string)).body.error).toBe('access_denied');
  });

  it('ping mode: the client is notified with its bearer token and the auth_req_id, then redeems it (§10.2)', async () => {
    const auth = basic('ciba.ping', 'secret');
    const start = await cibaRequest(
      s.url,
      { scope: 'openid email', login_hint: 'bob', binding_message: 'PING 1', client_notification_token: 'nt-8f3a.B' },
      auth,
    );
    expect(start.status).toBe(200);
    const id = start.body.auth_req_id as string;
    expect((await cibaPoll(s.url, id, 'ciba.ping')).body.error).toBe('authorization_pending');
    expect(pings).toEqual([]);

    const pinged = new Promise<void>((resolve) => (onPing = resolve));
    await decideOnHomePage(s.url, bob, 'PING 1', 'approve');
    await pinged;
    expect(pings).toEqual([{ authorization: 'Bearer nt-8f3a.B', contentType: 'application/json', body: { auth_req_id: id } }]);

    s.clock.advance(5);
    const r = await cibaPoll(s.url, id, 'ciba.ping');
    expect(r.status).toBe(200);
    expect(jwtClaims(r.body.id_token as string)).toMatchObject({ sub: '2', aud: 'ciba.ping' });
    // Delivered: nothing left in the durable outbox.
    await s.gh.context.background.idle();
    expect(await s.gh.context.backend.outbox!.size()).toBe(0);
  });

  it('ping mode: a refused notification (503) is retried until the client takes it', async () => {
    failNext = 1;
    const auth = basic('ciba.ping', 'secret');
    const start = await cibaRequest(s.url, { scope: 'openid', login_hint: 'alice', binding_message: 'PING 2', client_notification_token: 'nt-2' }, auth);
    const pinged = new Promise<void>((resolve) => (onPing = resolve));
    await decideOnHomePage(s.url, alice, 'PING 2', 'approve');
    await pinged;
    expect(pings.at(-1)).toEqual({ authorization: 'Bearer nt-2', contentType: 'application/json', body: { auth_req_id: start.body.auth_req_id } });
    expect(refused).toBe(1);
    await s.gh.context.background.idle();
    expect(await s.gh.context.backend.outbox!.size()).toBe(0);
  });

  it("ping mode: a ping left in the outbox (its node died) is sent by another node's drain", async () => {
    const outbox = s.gh.context.backend.outbox!;
    const payload = { clientId: 'ciba.ping', endpoint: notifyUrl, token: 'nt-3', authReqId: 'left-behind' };
    await outbox.add([{ id: 'orphan-1', kind: PING_KIND, payload, attempts: 0, dueAt: Date.now(), createdAt: Date.now() }]);
    const pinged = new Promise<void>((resolve) => (onPing = resolve));
    expect(await drainPingOutbox(s.gh.context)).toBe(1);
    await pinged;
    expect(pings.at(-1)).toMatchObject({ authorization: 'Bearer nt-3', body: { auth_req_id: 'left-behind' } });
  });
});
