/**
 * id_token_hint accepts ID tokens only, in canonical compact form, at both
 * endpoints that read it: the authorization endpoint (OIDC Core §3.1.2.1) and
 * the end-session endpoint (RP-Initiated Logout 1.0 §2). A logout token and
 * an access token are signed with the same keys (RFC 8725 §2.8, §3.11).
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/tokens/access-token.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { clientOf } from '../endpoints/helpers.js';
import { authorizeUrl, authParams, CONF, expectCode, expectErrorPage, expectRedirectError, redeem, signIn } from '../interaction/interaction-helpers.js';
import { startRelyingParty, type RelyingParty } from '../sessions/logout-helpers.js';

const BYE = 'http://localhost:3000/';

/** Variants of a valid JWT that only differ in form: jose's forgiving base64url decoder accepts them all. */
function malformed(jwt: string): Record<string, string> {
  const [h, p, sig] = jwt.split('.') as [string, string, string];
  return {
    'a newline inside the signature': `${h}.${p}.${sig.slice(0, 20)}\n${sig.slice(20)}`,
    'a leading space': ` ${jwt}`,
    'a trailing newline': `${jwt}\n`,
    'a tab inside the payload': `${h}.${p.slice(0, 8)}\t${p.slice(8)}.${sig}`,
    'base64 padding on the header': `${h}${'='.repeat((4 - (h.length % 4)) % 4 || 2)}.${p}.${sig}`,
  };
}

describe('id_token_hint: ID tokens only', () => {
  let rp: RelyingParty;
  let s: TestServer;
  let jar: CookieJar;
  let idToken: string;
  let logoutToken: string;
  let accessToken: string;

  const signedIn = async () => {
    const j = new CookieJar();
    const { code, verifier } = await signIn(s.url, j, 'alice');
    const tok = await redeem(s.url, code, verifier);
    expect(tok.status).toBe(200);
    return { jar: j, idToken: tok.body.id_token as string };
  };

  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({ mutate: (c) => void (clientOf(c, CONF).backChannelLogoutUri = `${rp.url}/bc`) });
    // A real logout token: sign in, sign out, and take what the client's back-channel URI received.
    const first = await signedIn();
    await first.jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: first.idToken })}`);
    for (let i = 0; i < 200 && !rp.received.some((r) => r.path === '/bc'); i++) await new Promise((r) => setTimeout(r, 10));
    logoutToken = rp.received.find((r) => r.path === '/bc')!.body.get('logout_token')!;
    expect(decodeJwt(logoutToken)).toMatchObject({ aud: CONF, sub: decodeJwt(first.idToken).sub });

    ({ jar, idToken } = await signedIn());
    // An access token as the server issues it, whose audience is the client id.
    const claims = decodeJwt(idToken);
    const client = s.gh.context.clients.find(CONF)!;
    accessToken = (
      await issueAccessToken(s.gh.context, { client, subjectId: claims.sub, scopes: ['openid', 'profile'], audiences: [CONF], sessionId: claims.sid as string })
    ).accessToken;
    expect(decodeJwt(accessToken).aud).toBe(CONF);
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  describe('at the authorization endpoint', () => {
    const authorize = async (hint: string) => jar.fetch(authorizeUrl(s.url, (await authParams({ id_token_hint: hint, prompt: 'none' })).params));

    it('an ID token of the signed-in user gives a code (control)', async () => {
      expectCode(await authorize(idToken), s.url);
    });

    it('a back-channel logout token is not an ID token', async () => {
      expectRedirectError(await authorize(logoutToken), { issuer: s.url, error: 'invalid_request', state: 'st-1' });
    });

    it('an access token whose audience is the client is not an ID token', async () => {
      expectRedirectError(await authorize(accessToken), { issuer: s.url, error: 'invalid_request', state: 'st-1' });
    });

    it('an ID token in a non-canonical form is refused', async () => {
      for (const [name, hint] of Object.entries(malformed(idToken))) {
        const res = await authorize(hint);
        expect(res.status, name).toBe(303);
        expect(new URL(res.headers.get('location')!).searchParams.get('error'), name).toBe('invalid_request');
      }
    });
  });

  describe('at the end-session endpoint', () => {
    const endSession = (hint: string) =>
      jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: BYE })}`);

    it('a back-channel logout token is refused with the error page, no redirect', async () => {
      const html = await expectErrorPage(await endSession(logoutToken), 'invalid_request');
      expect(html).not.toContain(BYE);
    });

    it('an access token whose audience is the client is refused', async () => {
      await expectErrorPage(await endSession(accessToken), 'invalid_request');
    });

    it('an ID token in a non-canonical form is refused', async () => {
      for (const [name, hint] of Object.entries(malformed(idToken))) {
        const res = await endSession(hint);
        expect(res.status, name).toBe(400);
        expect(res.headers.get('location'), name).toBeNull();
      }
    });

    it('the ID token itself signs out and redirects (control, last: it ends the session)', async () => {
      const res = await endSession(idToken);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(BYE);
    });
  });
});
