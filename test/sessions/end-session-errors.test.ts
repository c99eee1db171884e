/**
 * RP-Initiated Logout 1.0: the requests the endpoint refuses (with the error
 * page, never a redirect) and the ones for which it asks the user first.
 */
import { decodeJwt, SignJWT } from 'jose';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { expectErrorPage } from '../interaction/interaction-helpers.js';
import { rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

describe('end session endpoint: bad input', () => {
  let rp: RelyingParty;
  let s: TestServer;
  beforeAll(async () => {
    rp = await startRelyingParty();
    s = await startTestServer({
      mutate: withClients([rpClient(rp.url, 'one', { frontChannelLogoutUri: undefined }), rpClient(rp.url, 'two', { frontChannelLogoutUri: undefined })]),
    });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  const endsession = (jar: CookieJar, params: Record<string, string>) => jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams(params)}`);
  /** Still signed in: the session query still finds the session. */
  const stillSignedIn = async (idToken: string) => expect(await s.gh.sessions.query({ sid: decodeJwt(idToken).sid as string })).toHaveLength(1);
  /** Re-signs the claims of an ID token with our current key after a change. */
  const resign = async (idToken: string, change: Record<string, unknown>) => {
    const key = s.gh.context.keys.signingKey();
    return signJwt({ ...decodeJwt(idToken), ...change }, key, 'JWT');
  };

  it('an unknown client_id is refused', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    await expectErrorPage(await endsession(jar, { client_id: 'nobody', post_logout_redirect_uri: `${rp.url}/bye/one` }), 'invalid_request');
    await expectErrorPage(await endsession(jar, { client_id: 'nobody' }), 'invalid_request');
    await stillSignedIn(t.idToken);
  });

  it('an id_token_hint from another issuer is refused, even signed with our key', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    const html = await expectErrorPage(
      await endsession(jar, { id_token_hint: await resign(t.idToken, { iss: 'https://evil.example' }), post_logout_redirect_uri: `${rp.url}/bye/one` }),
      'invalid_request',
    );
    expect(html).not.toContain(`${rp.url}/bye/one`);
    await stillSignedIn(t.idToken);
  });

  it('an id_token_hint signed by another key is refused', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    const { privateKey } = await generateKeyPair('RS256');
    const kid = s.gh.context.keys.signingKey().kid;
    const forged = await new SignJWT(decodeJwt(t.idToken)).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
    await expectErrorPage(await endsession(jar, { id_token_hint: forged }), 'invalid_request');
    await stillSignedIn(t.idToken);
  });

  it('an id_token_hint for another client than client_id is refused', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    await expectErrorPage(
      await endsession(jar, { id_token_hint: t.idToken, client_id: 'app.two', post_logout_redirect_uri: `${rp.url}/bye/two` }),
      'invalid_request',
    );
    // Its own client's URI only: two's URI with one's hint is not registered for one.
    await expectErrorPage(await endsession(jar, { id_token_hint: t.idToken, post_logout_redirect_uri: `${rp.url}/bye/two` }), 'invalid_request');
    await stillSignedIn(t.idToken);
  });

  it('an id_token_hint whose audience is no client of ours is refused', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    await expectErrorPage(await endsession(jar, { id_token_hint: await resign(t.idToken, { aud: 'gone' }) }), 'invalid_request');
    await stillSignedIn(t.idToken);
  });

  it('an expired id_token_hint with a good signature and issuer still signs out', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    s.clock.advance(3600); // the ID token lived 300 s; the session lives on (10 h sliding)
    expect((decodeJwt(t.idToken).exp as number) < s.clock.now()).toBe(true);
    const res = await endsession(jar, { id_token_hint: t.idToken, post_logout_redirect_uri: `${rp.url}/bye/one`, state: 'x' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${rp.url}/bye/one?state=x`);
    expect(await s.gh.sessions.query({ sid: decodeJwt(t.idToken).sid as string })).toEqual([]);
    // ... but expired and tampered is still refused.
    const jar2 = new CookieJar();
    const t2 = await signInClient(s.url, rp.url, jar2, 'one');
    s.clock.advance(3600);
    const [h, p] = t2.idToken.split('.');
    await expectErrorPage(await endsession(jar2, { id_token_hint: `${h}.${p}.AAAA` }), 'invalid_request');
    await s.gh.sessions.idle();
  });

  it('a logout_hint naming another user asks for confirmation', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    const res = await endsession(jar, { id_token_hint: t.idToken, logout_hint: 'bob' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="confirm" value="1"');
    await stillSignedIn(t.idToken);
    // Naming the signed-in user (by username or sub) signs out without asking.
    const ok = await endsession(jar, { id_token_hint: t.idToken, logout_hint: 'alice' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).not.toContain('name="confirm"');
    expect(jar.cookies.has('gh.session')).toBe(false);
    await s.gh.sessions.idle();
  });

  it('an id_token_hint of an earlier session of the same user asks for confirmation', async () => {
    const jar = new CookieJar();
    const old = await signInClient(s.url, rp.url, jar, 'one');
    await endsession(jar, { id_token_hint: old.idToken });
    await signInClient(s.url, rp.url, jar, 'one');
    const res = await endsession(jar, { id_token_hint: old.idToken, ui_locales: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('name="confirm" value="1"');
    expect(html).toContain('lang="de"');
    expect(jar.cookies.has('gh.session')).toBe(true);
    await s.gh.sessions.idle();
  });
});
