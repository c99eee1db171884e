/**
 * Interop: openid-client v6 signs in (the authorization response carries
 * session_state, which it must tolerate), then builds the end-session URL
 * with its own buildEndSessionUrl, unchanged; Gatehouse ends the session
 * and returns to the registered post-logout URI with state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
const loginAction = (html: string) => html.match(/action="([^"]*\/ui\/login\?[^"]*)"/)?.[1]?.replace(/&amp;/g, '&');

/** Follows redirects in `jar` until one leaves the provider; returns that URL. */
async function followToClient(jar: CookieJar, start: URL, issuer: string): Promise<URL> {
  let next = start;
  while (next.origin === issuer) {
    const res = await jar.fetch(next.href);
    expect(res.status).toBe(303);
    next = new URL(res.headers.get('location')!, next);
    if (next.pathname === '/ui/login') {
      const page = await (await jar.fetch(next.href)).text();
      const posted = await jar.fetch(new URL(loginAction(page)!, next).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: field(page, 'csrf')!, username: 'alice', password: 'alice' }),
      });
      next = new URL(posted.headers.get('location')!, next);
    }
  }
  return next;
}

describe('openid-client v6: RP-initiated logout', () => {
  let s: TestServer;
  let config: oidc.Configuration;
  beforeAll(async () => {
    s = await startTestServer();
    config = await oidc.discovery(new URL(s.url), 'interactive.confidential', 'secret', undefined, { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(() => s?.close());

  it('discovers the logout metadata', () => {
    const meta = config.serverMetadata();
    expect(meta.end_session_endpoint).toBe(`${s.url}/connect/endsession`);
    expect(meta.check_session_iframe).toBe(`${s.url}/connect/checksession`);
    expect(meta).toMatchObject({
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
  });

  it('signs in, then signs out with buildEndSessionUrl; the session is gone', async () => {
    const jar = new CookieJar();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await followToClient(jar, url, s.url);
    expect(callback.searchParams.get('session_state')).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9_-]+$/);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });

    const logoutState = oidc.randomState();
    const endUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:3000/', state: logoutState });
    expect(endUrl.origin + endUrl.pathname).toBe(`${s.url}/connect/endsession`);
    const res = await jar.fetch(endUrl.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`http://localhost:3000/?state=${logoutState}`);

    // prompt=none now fails with login_required.
    const silent = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid',
      prompt: 'none',
      state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const answer = await jar.fetch(silent.href);
    expect(new URL(answer.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });
});
