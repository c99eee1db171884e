/**
 * Two clients signed in to one session; RP-Initiated Logout from one reaches
 * both: front-channel iframes on the signed-out page, back-channel logout
 * tokens POSTed to a real HTTP server and verified there with jose against
 * the provider's JWKS; the session is gone and session-bound refresh tokens die.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/tokens/logout-token.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, expectRedirectError } from '../interaction/interaction-helpers.js';
import { eventLog, refresh, rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

describe('sign-out everywhere: two clients in one session', () => {
  let rp: RelyingParty;
  let s: TestServer;
  const log = eventLog();
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({
      mutate: withClients([
        rpClient(rp.url, 'one', { coordinateLifetimeWithUserSession: true }),
        // Two wants neither iss/sid on its front-channel URI nor sid in its logout token; its refresh tokens outlive the session.
        rpClient(rp.url, 'two', { frontChannelLogoutSessionRequired: false, backChannelLogoutSessionRequired: false }),
      ]),
      options: { events: log.sink },
    });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  it('RP-initiated logout from one: iframes and logout tokens for both, session ended, bound refresh tokens dead', async () => {
    const jar = new CookieJar();
    const one = await signInClient(s.url, rp.url, jar, 'one');
    const two = await signInClient(s.url, rp.url, jar, 'two'); // SSO: no login page
    const sid = decodeJwt(one.idToken).sid as string;
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(decodeJwt(two.idToken).sid).toBe(sid);
    expect((await s.gh.sessions.query({ sid }))[0].clients).toEqual([
      { clientId: 'app.one', sid },
      { clientId: 'app.two', sid },
    ]);

    const q = new URLSearchParams({ id_token_hint: one.idToken, post_logout_redirect_uri: `${rp.url}/bye/one`, state: 'st 9' });
    const res = await jar.fetch(`${s.url}/connect/endsession?${q}`);
    // Front-channel frames to load: the signed-out page, which continues to the client.
    expect(res.status).toBe(200);
    const html = await res.text();
    const frames = [...html.matchAll(/<iframe[^>]*src="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(frames).toHaveLength(2);
    const fc1 = new URL(frames[0]);
    expect(fc1.pathname).toBe('/fc/one');
    expect(fc1.searchParams.get('iss')).toBe(s.url);
    expect(fc1.searchParams.get('sid')).toBe(sid);
    expect(frames[1]).toBe(`${rp.url}/fc/two`);
    expect(res.headers.get('content-security-policy')).toContain(`frame-src ${rp.url}`);
    expect(html).toContain(`href="${rp.url}/bye/one?state=st%209"`);
    expect(html).toMatch(/<script src="\/ui\/assets\/signed-out\.js" nonce="[^"]+"/);
    expect(jar.cookies.has('gh.session')).toBe(false);
    expect(jar.cookies.has('gh.browser')).toBe(false);

    // Back-channel: one POST per client, in the background.
    await s.gh.sessions.idle();
    const posts = rp.received.filter((r) => r.method === 'POST' && r.path.startsWith('/bc/'));
    expect(posts.map((p) => p.path).sort()).toEqual(['/bc/one', '/bc/two']);
    const jwks = createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`));
    for (const post of posts) {
      expect(post.contentType).toBe('application/x-www-form-urlencoded');
      const name = post.path.slice('/bc/'.length);
      const token = post.body.get('logout_token')!;
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: s.url,
        audience: `app.${name}`,
        typ: 'logout+jwt',
        currentDate: new Date(s.clock.now() * 1000),
      });
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload.sub).toBe('1');
      expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
      expect(typeof payload.jti).toBe('string');
      expect(payload.iat).toBe(s.clock.now());
      expect(payload.exp).toBe(s.clock.now() + 120);
      expect(payload).not.toHaveProperty('nonce');
      if (name === 'one') expect(payload.sid).toBe(sid);
      else expect(payload).not.toHaveProperty('sid');
    }
    expect(
      log
        .ofType('back_channel_logout_sent')
        .map((e) => e.clientId)
        .sort(),
    ).toEqual(['app.one', 'app.two']);

    // The session is gone: prompt=none answers login_required.
    const none = new URLSearchParams({
      client_id: 'app.two',
      redirect_uri: `${rp.url}/cb/two`,
      response_type: 'code',
      scope: 'openid',
      state: 's',
      prompt: 'none',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    expectRedirectError(await jar.fetch(authorizeUrl(s.url, none)), { issuer: s.url, error: 'login_required', redirectUri: `${rp.url}/cb/two`, state: 's' });
    expect(await s.gh.sessions.query({ sid })).toEqual([]);

    // One coordinates its refresh tokens with the session: dead. Two does not: still good.
    const r1 = await refresh(s.url, 'one', one.refreshToken);
    expect(r1.status).toBe(400);
    expect(r1.body.error).toBe('invalid_grant');
    expect((await refresh(s.url, 'two', two.refreshToken)).status).toBe(200);
  });

  it('a refresh token rotated before logout is revoked too, with the access tokens of the sign-in and of its rotation', async () => {
    const jar = new CookieJar();
    const one = await signInClient(s.url, rp.url, jar, 'one');
    const rotated = await refresh(s.url, 'one', one.refreshToken);
    expect(rotated.status).toBe(200);
    const introspect = async (token: string) => {
      const intro = await fetch(`${s.url}/connect/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from('api:secret').toString('base64') },
        body: new URLSearchParams({ token }),
      });
      expect(intro.status).toBe(200);
      return (await intro.json()) as Record<string, unknown>;
    };
    const userinfo = async (token: string) => (await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await userinfo(one.accessToken)).toBe(200);
    const res = await jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: one.idToken })}`);
    expect(res.status).toBe(200);
    expect((await refresh(s.url, 'one', rotated.body.refresh_token)).body.error).toBe('invalid_grant');
    expect(await introspect(rotated.body.access_token)).toEqual({ active: false });
    expect(await introspect(one.accessToken)).toEqual({ active: false });
    expect(await userinfo(one.accessToken)).toBe(401);
    await s.gh.sessions.idle();
  });

  it('the home page sign-out notifies the clients as well', async () => {
    const jar = new CookieJar();
    await signInClient(s.url, rp.url, jar, 'two');
    const before = rp.received.length;
    const home = await (await jar.fetch(`${s.url}/ui/`)).text();
    const csrf = home.match(/name="csrf" value="([^"]*)"/)![1];
    const res = await jar.fetch(`${s.url}/ui/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`src="${rp.url}/fc/two"`);
    await s.gh.sessions.idle();
    expect(rp.received.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /bc/two']);
  });
});
