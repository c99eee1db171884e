/**
 * Server-side sessions (as IdentityServer's): query by user, client or sid;
 * end remotely with back-channel logout; inactivity timeout and absolute
 * lifetime; revoking a client's grant revokes its tokens.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endExpiredSessions } from '../../src/sessions/session-admin.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, expectRedirectError, loginAndResume, openPage } from '../interaction/interaction-helpers.js';
import { eventLog, refresh, rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

const clients = (rp: string) => [
  rpClient(rp, 'one', { coordinateLifetimeWithUserSession: true, frontChannelLogoutUri: undefined }),
  rpClient(rp, 'two', { frontChannelLogoutUri: undefined }),
];

describe('server-side sessions: query and end', () => {
  let rp: RelyingParty;
  let s: TestServer;
  const log = eventLog();
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({ mutate: withClients(clients(rp.url)), options: { events: log.sink } });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  const promptNone = (name: string) =>
    authorizeUrl(
      s.url,
      new URLSearchParams({
        client_id: `app.${name}`,
        redirect_uri: `${rp.url}/cb/${name}`,
        response_type: 'code',
        scope: 'openid',
        state: 's',
        prompt: 'none',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }),
    );

  it('queries by user, client and sid; ends one session remotely with back-channel logout', async () => {
    const alice = new CookieJar();
    const a1 = await signInClient(s.url, rp.url, alice, 'one');
    await signInClient(s.url, rp.url, alice, 'two');
    const bob = new CookieJar();
    const b2 = await signInClient(s.url, rp.url, bob, 'two', 'bob');
    const aliceSid = decodeJwt(a1.idToken).sid as string;
    const bobSid = decodeJwt(b2.idToken).sid as string;

    const mine = await s.gh.sessions.query({ subjectId: '1' });
    expect(mine.map((x) => x.sid)).toEqual([aliceSid]);
    expect(mine[0]).toMatchObject({
      subjectId: '1',
      clients: [
        { clientId: 'app.one', sid: aliceSid },
        { clientId: 'app.two', sid: aliceSid },
      ],
    });
    expect((await s.gh.sessions.query({ clientId: 'app.two' })).map((x) => x.sid).sort()).toEqual([aliceSid, bobSid].sort());
    expect((await s.gh.sessions.query({ clientId: 'app.one' })).map((x) => x.sid)).toEqual([aliceSid]);
    expect((await s.gh.sessions.query({ sid: bobSid, subjectId: '2' })).map((x) => x.subjectId)).toEqual(['2']);
    expect(await s.gh.sessions.query({ sid: bobSid, subjectId: '1' })).toEqual([]);
    // The management view holds nothing that signs a browser in.
    expect(JSON.stringify(mine)).not.toContain(alice.cookies.get('gh.session')!);

    const before = rp.received.length;
    const ended = await s.gh.sessions.end({ sid: aliceSid });
    expect(ended.map((e) => e.sid)).toEqual([aliceSid]);
    await s.gh.sessions.idle();
    expect(
      rp.received
        .slice(before)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(['POST /bc/one', 'POST /bc/two']);
    expectRedirectError(await alice.fetch(promptNone('one')), { issuer: s.url, error: 'login_required', redirectUri: `${rp.url}/cb/one`, state: 's' });
    expect((await refresh(s.url, 'one', a1.refreshToken)).body.error).toBe('invalid_grant');
    // Bob is untouched.
    expect(await s.gh.sessions.query({ subjectId: '2' })).toHaveLength(1);
    expect(log.ofType('session_ended').at(-1)).toMatchObject({ subjectId: '1', detail: { sid: aliceSid, reason: 'admin' } });
  });

  it('the user revokes an application (listed on the account page): its tokens stop working', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'two', 'bob');
    // The list moved from the home page to the account page (docs/account.md); the home page's revoke route stays.
    const home = await (await jar.fetch(`${s.url}/ui/account`)).text();
    expect(home).toContain('App two');
    const csrf = home.match(/name="csrf" value="([^"]*)"/)![1];
    const post = (body: Record<string, string>) =>
      jar.fetch(`${s.url}/ui/grants/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    // A forged request (no or another csrf token) changes nothing.
    expect((await post({ client_id: 'app.two' })).status).toBe(303);
    expect((await post({ client_id: 'app.two', csrf: 'x'.repeat(43) })).status).toBe(303);
    const r1 = await refresh(s.url, 'two', t.refreshToken);
    expect(r1.status).toBe(200);
    // The real one revokes.
    const res = await post({ client_id: 'app.two', csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/');
    expect((await refresh(s.url, 'two', r1.body.refresh_token)).body.error).toBe('invalid_grant');
    expect(await (await jar.fetch(`${s.url}/ui/account`)).text()).not.toContain('(App two)');
    expect(log.ofType('grant_revoked').at(-1)).toMatchObject({ subjectId: '2', clientId: 'app.two' });
  });

  it('end needs a filter', async () => {
    await expect(s.gh.sessions.end({})).rejects.toThrow(/subjectId, clientId or sid/);
  });

  it("revoking a client's grant for a user revokes its refresh tokens and access tokens, and drops it from the session", async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'two', 'bob');
    expect(await s.gh.sessions.revokeClientGrant('2', 'app.two')).toBeGreaterThan(0);
    expect((await refresh(s.url, 'two', t.refreshToken)).body.error).toBe('invalid_grant');
    const intro = await fetch(`${s.url}/connect/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from('api:secret').toString('base64') },
      body: new URLSearchParams({ token: t.accessToken }),
    });
    expect(await intro.json()).toEqual({ active: false });
    const sid = decodeJwt(t.idToken).sid as string;
    expect((await s.gh.sessions.query({ sid }))[0].clients).toEqual([]);
  });
});

describe('server-side sessions: inactivity timeout and absolute lifetime', () => {
  let rp: RelyingParty;
  let s: TestServer;
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({ mutate: withClients(clients(rp.url), { cookieLifetime: 600, absoluteSessionLifetime: 1000 }) });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  const silent = async (jar: CookieJar) => {
    const res = await jar.fetch(
      authorizeUrl(
        s.url,
        new URLSearchParams({
          client_id: 'app.two',
          redirect_uri: `${rp.url}/cb/two`,
          response_type: 'code',
          scope: 'openid',
          state: 's',
          prompt: 'none',
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
        }),
      ),
    );
    return new URL(res.headers.get('location')!).searchParams;
  };

  it('an idle session ends after the inactivity timeout; use slides it', async () => {
    const jar = new CookieJar();
    await signInClient(s.url, rp.url, jar, 'two'); // idle until 600
    s.clock.advance(500);
    expect((await silent(jar)).get('code')).toBeTruthy(); // used at 500: slides (to the absolute end, 1000)
    s.clock.advance(400);
    expect((await silent(jar)).get('code')).toBeTruthy(); // 900: alive only because it slid
    // A session left idle for longer than the timeout ends, long before its absolute end.
    const idle = new CookieJar();
    await signInClient(s.url, rp.url, idle, 'two');
    s.clock.advance(601);
    expect((await silent(idle)).get('error')).toBe('login_required');
  });

  it('an active session still ends at its absolute lifetime', async () => {
    const jar = new CookieJar();
    await signInClient(s.url, rp.url, jar, 'two');
    for (let i = 0; i < 3; i++) {
      s.clock.advance(300);
      expect((await silent(jar)).get('code')).toBeTruthy();
    }
    const [info] = await s.gh.sessions.query({ subjectId: '1' });
    expect(info.expiresAt).toBeLessThanOrEqual(info.createdAt + 1000);
    s.clock.advance(101); // 1001 s after sign-in, 101 s after the last use
    expect((await silent(jar)).get('error')).toBe('login_required');
  });

  it('expired sessions are ended with back-channel logout before the purge', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    s.clock.advance(601);
    const before = rp.received.length;
    expect(await endExpiredSessions(s.gh.context)).toBeGreaterThanOrEqual(1);
    await s.gh.sessions.idle();
    expect(rp.received.slice(before).some((r) => r.path === '/bc/one')).toBe(true);
    expect((await refresh(s.url, 'one', t.refreshToken)).body.error).toBe('invalid_grant');
  });
});

describe('server-side sessions: re-authentication and session-bound refresh', () => {
  let rp: RelyingParty;
  let s: TestServer;
  const log = eventLog();
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({ mutate: withClients(clients(rp.url), { cookieLifetime: 600 }), options: { events: log.sink } });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  const loginAgain = (name: string) =>
    authorizeUrl(
      s.url,
      new URLSearchParams({
        client_id: `app.${name}`,
        redirect_uri: `${rp.url}/cb/${name}`,
        response_type: 'code',
        scope: 'openid offline_access',
        state: `st-${name}`,
        prompt: 'login',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      }),
    );

  it('the same user signing in again keeps the sid and the client list; no logout is sent', async () => {
    const jar = new CookieJar();
    const one = await signInClient(s.url, rp.url, jar, 'one');
    const sid = decodeJwt(one.idToken).sid as string;
    const res = await jar.fetch(loginAgain('two'));
    const back = await loginAndResume(jar, s.url, await openPage(jar, new URL(res.headers.get('location')!, s.url).toString()), 'alice');
    expect(back.status).toBe(303);
    // One session: the new record replaced the old one (new handle, same sid).
    const sessions = await s.gh.sessions.query({ subjectId: '1' });
    expect(sessions).toHaveLength(1);
    const [info] = sessions;
    expect(info.sid).toBe(sid);
    expect(info.clients.map((c) => c.clientId)).toEqual(['app.one', 'app.two']);
    await s.gh.sessions.idle();
    expect(rp.received.filter((r) => r.path.startsWith('/bc/'))).toEqual([]);
    // The bound refresh token still works: its session lives on.
    expect((await refresh(s.url, 'one', one.refreshToken)).status).toBe(200);
  });

  it('another user signing in on the browser ends the previous session with back-channel logout', async () => {
    const jar = new CookieJar();
    const one = await signInClient(s.url, rp.url, jar, 'one', 'alice');
    const sid = decodeJwt(one.idToken).sid as string;
    const res = await jar.fetch(loginAgain('one'));
    await loginAndResume(jar, s.url, await openPage(jar, new URL(res.headers.get('location')!, s.url).toString()), 'bob');
    await s.gh.sessions.idle();
    expect(await s.gh.sessions.query({ sid })).toEqual([]);
    expect(log.ofType('session_ended').at(-1)).toMatchObject({ subjectId: '1', detail: { sid, reason: 'replaced' } });
    expect(rp.received.some((r) => r.path === '/bc/one')).toBe(true);
    expect((await refresh(s.url, 'one', one.refreshToken)).body.error).toBe('invalid_grant');
  });

  it('a session-bound refresh token slides the session, and fails once the session expired (before any purge)', async () => {
    const jar = new CookieJar();
    const one = await signInClient(s.url, rp.url, jar, 'one');
    s.clock.advance(500);
    const r1 = await refresh(s.url, 'one', one.refreshToken);
    expect(r1.status).toBe(200);
    s.clock.advance(500); // 1000 s after sign-in: alive only because the refresh slid it
    const r2 = await refresh(s.url, 'one', r1.body.refresh_token);
    expect(r2.status).toBe(200);
    s.clock.advance(601);
    const r3 = await refresh(s.url, 'one', r2.body.refresh_token);
    expect(r3.status).toBe(400);
    expect(r3.body).toMatchObject({ error: 'invalid_grant', error_description: 'the user session of this refresh token has ended' });
  });
});
