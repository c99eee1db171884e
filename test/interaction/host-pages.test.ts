/**
 * A host app's own login and consent pages (README "Replacing the login and
 * consent pages"): the provider sends the browser to `interactionUrl`, the
 * host calls the interaction API with the browser's cookies and redirects to
 * the URL it returns, and the resume endpoint continues the flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, expectCode, expectRedirectError, PUB, PUB_REDIRECT, redeem } from './interaction-helpers.js';

const HOST = 'https://app.example.test';

describe('host pages through the interaction API', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ options: { interaction: { interactionUrl: (kind, id) => `${HOST}/${kind}?id=${id}` } } });
  });
  afterAll(() => s.close());

  const cookies = (jar: CookieJar) => [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  /** The authorization request's redirect to the host page; returns the interaction id. */
  async function toHostPage(jar: CookieJar, url: string, kind: 'login' | 'consent'): Promise<string> {
    const res = await jar.fetch(url);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${HOST}/${kind}`);
    return location.searchParams.get('id')!;
  }

  it('login: details, CSRF check, login() returns the resume URL, and the resume endpoint answers with a code', async () => {
    const jar = new CookieJar();
    const { params, verifier } = await authParams({ scope: 'openid profile email' });
    const id = await toHostPage(jar, authorizeUrl(s.url, params), 'login');
    const details = await s.gh.interactions.details(id, cookies(jar));
    expect(details).toMatchObject({ id, kind: 'login', client: { clientId: 'interactive.confidential' } });
    expect(await s.gh.interactions.verifyCsrf(id, cookies(jar), details!.csrfToken)).toBe(true);
    expect(await s.gh.interactions.verifyCsrf(id, cookies(jar), 'forged')).toBe(false);
    // Another browser (no binding cookie) gets nothing.
    expect(await s.gh.interactions.details(id, '')).toBeUndefined();

    const resume = await s.gh.interactions.login(id, cookies(jar), { subjectId: '1', amr: ['pwd'] });
    expect(resume.startsWith(`${s.url}/connect/authorize/resume?id=`)).toBe(true);
    const code = expectCode(await jar.fetch(resume), s.url);
    expect(jar.cookies.has('gh.session')).toBe(true);
    const tokens = await redeem(s.url, code, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body.id_token).toBeTruthy();
    // The interaction is finished: its resume URL is spent.
    expect((await jar.fetch(resume)).status).toBe(400);
  });

  it('consent: consent() and deny() through the resume endpoint', async () => {
    const jar = new CookieJar();
    const first = await authParams({ client_id: PUB, scope: 'openid profile' });
    const loginId = await toHostPage(jar, authorizeUrl(s.url, first.params), 'login');
    // interactive.public needs consent: after the login the flow goes to the host's consent page.
    const afterLogin = await jar.fetch(await s.gh.interactions.login(loginId, cookies(jar), { subjectId: '2' }));
    expect(afterLogin.status).toBe(303);
    const consentUrl = new URL(afterLogin.headers.get('location')!);
    expect(`${consentUrl.origin}${consentUrl.pathname}`).toBe(`${HOST}/consent`);
    const consentId = consentUrl.searchParams.get('id')!;
    expect((await s.gh.interactions.details(consentId, cookies(jar)))?.subjectId).toBe('2');
    const granted = await jar.fetch(await s.gh.interactions.consent(consentId, cookies(jar), { scopes: ['openid', 'profile'] }));
    expectCode(granted, s.url, PUB_REDIRECT);

    // A second request with a wider scope: the host page denies it.
    const second = await authParams({ client_id: PUB, scope: 'openid profile email' });
    const denyId = await toHostPage(jar, authorizeUrl(s.url, second.params), 'consent');
    const denied = await jar.fetch(await s.gh.interactions.deny(denyId, cookies(jar)));
    expectRedirectError(denied, { issuer: s.url, error: 'access_denied', redirectUri: PUB_REDIRECT, state: 'st-1' });
  });
});
