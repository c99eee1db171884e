/**
 * Every built-in event type, each caused by a real request (or the library
 * call that causes it), as a subscriber sees it; plus the bus itself:
 * typed `on`, unsubscribe, a failing sink, the default log sink.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GrantHandler } from '../../src/context.js';
import { isEvent, type GatehouseEvent } from '../../src/events/types.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import {
  actions,
  authorizeUrl,
  authParams,
  consentAndResume,
  field,
  FORM,
  loginAndResume,
  openPage,
  PUB,
  signIn,
  startAt,
} from '../interaction/interaction-helpers.js';

const throwing: GrantHandler = {
  grantType: 'urn:test:throws',
  parameters: [],
  async handle() {
    throw new Error('boom in a grant');
  },
};

describe('events', () => {
  let s: TestServer;
  let seen: GatehouseEvent[] = [];
  const logLines: Record<string, unknown>[] = [];
  const of = (type: string) => seen.filter((e) => e.type === type);
  const token = (body: Record<string, string>, secret = 'secret', client = 'm2m') =>
    fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: basic(client, secret), ...FORM }, body: form(body) });

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _e, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
        cb();
      },
    });
    s = await startTestServer({
      mutate: (c) => c.clients!.find((x) => x.clientId === 'm2m')!.allowedGrantTypes!.push(throwing.grantType),
      options: { grants: [throwing], logger: pino({ level: 'debug' }, sink), events: (e) => void seen.push(e) },
    });
  });
  afterAll(() => s.close());
  beforeEach(() => {
    seen = [];
  });

  it('token_issued and client_authentication_success, stamped with time and outcome', async () => {
    expect((await token({ grant_type: 'client_credentials', scope: 'api' })).status).toBe(200);
    expect(of('token_issued')).toEqual([
      expect.objectContaining({ clientId: 'm2m', grantType: 'client_credentials', time: s.clock.now(), outcome: 'success' }),
    ]);
    expect(of('client_authentication_success')[0]).toMatchObject({ clientId: 'm2m' });
  });

  it('token_failed and client_authentication_failure name the claimed client, never the secret', async () => {
    expect((await token({ grant_type: 'client_credentials' }, 'wrong-secret-value')).status).toBe(401);
    expect(of('client_authentication_failure')[0]).toMatchObject({ clientId: 'm2m', endpoint: 'token', outcome: 'failure' });
    expect(of('token_failed')[0]).toMatchObject({ grantType: 'client_credentials', error: 'invalid_client', outcome: 'failure' });
    expect(JSON.stringify(seen)).not.toContain('wrong-secret-value');
  });

  it('user_login_failure and user_login_success, then authorization_code_issued', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    await loginAndResume(jar, s.url, page, 'alice', 'wrong-password').catch(() => undefined);
    expect(of('user_login_failure')[0]).toMatchObject({
      username: 'alice',
      reason: 'invalid_credentials',
      clientId: 'interactive.confidential',
      outcome: 'failure',
    });
    await signIn(s.url, new CookieJar(), 'bob');
    expect(of('user_login_success')[0]).toMatchObject({ username: 'bob', subjectId: '2', clientId: 'interactive.confidential' });
    expect(of('authorization_code_issued')[0]).toMatchObject({ subjectId: '2', clientId: 'interactive.confidential' });
    expect(JSON.stringify(seen)).not.toContain('wrong-password');
  });

  it('consent_granted and consent_denied', async () => {
    const jar = new CookieJar();
    const { params } = await authParams({ client_id: PUB, redirect_uri: 'http://localhost:3000/spa/callback' });
    const login = await startAt(jar, authorizeUrl(s.url, params), 'login');
    const consentPage = (await loginAndResume(jar, s.url, login)).headers.get('location');
    await consentAndResume(jar, s.url, await openPage(jar, new URL(consentPage!, s.url).toString()), { remember: true });
    expect(of('consent_granted')[0]).toMatchObject({ clientId: PUB, subjectId: '1', remembered: true });
    expect((of('consent_granted')[0] as { scopes: string[] }).scopes).toContain('openid');

    const jar2 = new CookieJar();
    const { params: p2 } = await authParams({ client_id: PUB, redirect_uri: 'http://localhost:3000/spa/callback' });
    const login2 = await startAt(jar2, authorizeUrl(s.url, p2), 'login');
    const consent2 = (await loginAndResume(jar2, s.url, login2, 'bob')).headers.get('location');
    await consentAndResume(jar2, s.url, await openPage(jar2, new URL(consent2!, s.url).toString()), { decision: 'deny' });
    expect(of('consent_denied')[0]).toMatchObject({ clientId: PUB, outcome: 'failure' });
  });

  it('consent_revoked and grant_revoked when the user revokes a client (sessions.revokeClientGrant)', async () => {
    // alice remembered consent for the public client in the previous test.
    expect(await s.gh.sessions.revokeClientGrant('1', PUB)).toBeGreaterThanOrEqual(1);
    expect(of('consent_revoked')[0]).toMatchObject({ subjectId: '1', clientId: PUB });
    expect(of('grant_revoked')[0]).toMatchObject({ subjectId: '1', clientId: PUB, reason: 'revoked_by_user' });
  });

  it('user_logout when the user signs out', async () => {
    const jar = new CookieJar();
    await signIn(s.url, jar, 'alice');
    const home = await (await jar.fetch(`${s.url}/ui/`)).text();
    await jar.fetch(new URL(actions(home)[0], s.url).toString(), { method: 'POST', headers: FORM, body: form({ csrf: field(home, 'csrf')! }) });
    expect(of('user_logout')[0]).toMatchObject({ subjectId: '1' });
  });

  it('authorization_code_replayed and grant_revoked when a code is redeemed twice', async () => {
    const flow = await authorizeWithLogin(s.url);
    expect((await exchangeCode(s.url, flow.code, flow.verifier)).status).toBe(200);
    expect((await exchangeCode(s.url, flow.code, flow.verifier)).status).toBe(400);
    expect(of('authorization_code_replayed')[0]).toMatchObject({ clientId: 'interactive.confidential', subjectId: '1' });
    expect(of('grant_revoked')[0]).toMatchObject({ reason: 'authorization_code_replayed' });
    expect(of('token_failed')[0]).toMatchObject({ grantType: 'authorization_code', error: 'invalid_grant' });
  });

  it('refresh_token_reused and grant_revoked when a rotated refresh token comes back', async () => {
    const flow = await authorizeWithLogin(s.url);
    const first = await exchangeCode(s.url, flow.code, flow.verifier);
    const rt = first.body.refresh_token as string;
    const refresh = () => token({ grant_type: 'refresh_token', refresh_token: rt }, 'secret', 'interactive.confidential');
    expect((await refresh()).status).toBe(200);
    // Past the confidential client's refreshTokenRetryWindow (10 s): a retry no more, reuse.
    s.clock.advance(11);
    expect((await refresh()).status).toBe(400);
    expect(of('refresh_token_reused')).toHaveLength(1);
    expect(of('grant_revoked')[0]).toMatchObject({ reason: 'refresh_token_reused', clientId: 'interactive.confidential' });
    expect(JSON.stringify(seen)).not.toContain(rt);
  });

  it('token_revoked at the revocation endpoint', async () => {
    const at = ((await (await token({ grant_type: 'client_credentials', scope: 'api' })).json()) as { access_token: string }).access_token;
    const res = await fetch(`${s.url}/connect/revocation`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), ...FORM },
      body: form({ token: at }),
    });
    expect(res.status).toBe(200);
    expect(of('token_revoked')[0]).toMatchObject({ clientId: 'm2m' });
  });

  it('invalid_redirect for a redirect_uri the client did not register', async () => {
    const { params } = await authParams({ redirect_uri: 'https://evil.example/cb' });
    const res = await fetch(authorizeUrl(s.url, params), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(of('invalid_redirect')[0]).toMatchObject({ clientId: 'interactive.confidential', redirectUri: 'https://evil.example/cb', outcome: 'failure' });
  });

  it('key_rotated when a new signing key is created', async () => {
    const created = await s.gh.context.keys.rotate();
    expect(of('key_rotated')).toEqual([expect.objectContaining({ kids: [created[0].kid], reason: 'rotation', outcome: 'information' })]);
  });

  it('unhandled_error with the request id when a handler throws, and the log line at error', async () => {
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), ...FORM, 'x-request-id': 'boom-1' },
      body: form({ grant_type: throwing.grantType }),
    });
    expect(res.status).toBe(500);
    expect(of('unhandled_error')[0]).toMatchObject({ requestId: 'boom-1', path: '/connect/token', outcome: 'error' });
    expect(logLines.find((l) => l.msg === 'unhandled_error')).toMatchObject({ level: 50 });
  });

  it('the default log sink writes failures at warn and successes at debug', async () => {
    await token({ grant_type: 'client_credentials' }, 'bad');
    await token({ grant_type: 'client_credentials', scope: 'api' });
    expect(logLines.filter((l) => l.msg === 'client_authentication_failure').at(-1)).toMatchObject({ level: 40, event: { endpoint: 'token' } });
    expect(logLines.filter((l) => l.msg === 'token_issued').at(-1)).toMatchObject({ level: 20, event: { grantType: 'client_credentials' } });
  });

  it('events.on is typed per event; unsubscribing stops delivery; a failing sink breaks nothing', async () => {
    const grants: string[] = [];
    const off = s.gh.events.on('token_issued', (e) => void grants.push(e.grantType));
    const offBad = s.gh.events.subscribe(() => {
      throw new Error('sink down');
    });
    const offAsync = s.gh.events.subscribe(async () => {
      throw new Error('async sink down');
    });
    expect((await token({ grant_type: 'client_credentials', scope: 'api' })).status).toBe(200);
    off();
    offBad();
    offAsync();
    expect((await token({ grant_type: 'client_credentials', scope: 'api' })).status).toBe(200);
    expect(grants).toEqual(['client_credentials']);
    await new Promise((r) => setTimeout(r, 10));
    expect(logLines.filter((l) => l.msg === 'event sink failed').length).toBeGreaterThanOrEqual(2);
    const e = seen.find((x) => isEvent(x, 'token_issued'));
    expect(e && isEvent(e, 'token_issued') && e.grantType).toBe('client_credentials');
  });
});

describe('rate_limited event', () => {
  it('is emitted with scope and endpoint when a limit refuses', async () => {
    const seen: GatehouseEvent[] = [];
    const s = await startTestServer({ mutate: (c) => (c.rateLimits = { tokenPerClient: 1 }), options: { events: (e) => void seen.push(e) } });
    try {
      const call = () =>
        fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: basic('m2m', 'secret'), ...FORM }, body: 'grant_type=client_credentials' });
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(429);
      expect(seen.find((e) => e.type === 'rate_limited')).toMatchObject({ scope: 'token-client', endpoint: '/connect/token', outcome: 'failure' });
    } finally {
      await s.close();
    }
  });
});
