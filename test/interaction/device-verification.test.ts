/**
 * The device verification page (RFC 8628 §3.3) through real HTTP: the code
 * form (prefilled, normalised), wrong / expired / used codes answered on the
 * page with the form to retry, CSRF, the rate limit on guesses, SSO, the
 * callback bound to the browser, and the German page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import { field } from '../helpers/login-page-flow.js';
import { approveOnDevicePage, DEVICE_GRANT, submitUserCode, withDeviceClients } from '../helpers/device-page-flow.js';
import { post, token } from '../endpoints/helpers.js';

const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

describe('device verification page', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => withDeviceClients(c) });
  });
  afterAll(() => s.close());
  const start = async () =>
    (await post(s.url, '/connect/deviceauthorization', { client_id: 'device', scope: 'openid api' })).body as { device_code: string; user_code: string };
  const poll = (deviceCode: string) => token(s.url, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'device' });
  /** The page shows the error and the form again, so the user can retry. */
  const expectRetry = (html: string, message: string) => {
    expect(html).toContain(message);
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/<form method="post" action="\/ui\/device">/);
    expect(html).toContain('name="user_code"');
  };

  it('shows the code form, prefilled from verification_uri_complete and normalised, with a CSRF token and no-store', async () => {
    const res = await fetch(`${s.url}/ui/device?user_code=wdjb%20mjht`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await res.text();
    expect(html).toContain('value="WDJB-MJHT"');
    expect(field(html, 'csrf')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.getSetCookie().join()).toMatch(/gh\.device=.*HttpOnly/);
  });

  it('takes the code in any case, with or without dashes and spaces', async () => {
    const a = await start();
    const typed = ` ${a.user_code.toLowerCase().replace('-', ' ')} `;
    const { res } = await submitUserCode(s.url, typed);
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).pathname).toBe('/ui/login');
  });

  it('says a wrong code is wrong, lets the user retry, and then goes on with the right one', async () => {
    const a = await start();
    const jar = new CookieJar();
    const wrong = await submitUserCode(s.url, 'BBBB-BBBB', jar);
    expect(wrong.res.status).toBe(400);
    expectRetry(await wrong.res.text(), 'This code is not valid');
    const malformed = await submitUserCode(s.url, 'AEIOU', jar);
    expectRetry(await malformed.res.text(), 'This code is not valid');
    const page = await approveOnDevicePage(s.url, a.user_code, { jar });
    expect(page.html).toContain('Your device is connected');
    expect((await poll(a.device_code)).status).toBe(200);
  });

  it('says an expired code has expired', async () => {
    const a = await start();
    s.clock.advance(91);
    const { res } = await submitUserCode(s.url, a.user_code);
    expect(res.status).toBe(400);
    expectRetry(await res.text(), 'This code has expired');
  });

  it('says a used code was used, after an approval and after a denial', async () => {
    const a = await start();
    await approveOnDevicePage(s.url, a.user_code);
    const used = await submitUserCode(s.url, a.user_code);
    expectRetry(await used.res.text(), 'This code has already been used');
    const b = await start();
    await approveOnDevicePage(s.url, b.user_code, { decision: 'deny' });
    expectRetry(await (await submitUserCode(s.url, b.user_code)).res.text(), 'This code has already been used');
  });

  it('uses a code once even when two browsers approve it at the same time', async () => {
    const a = await start();
    const results = await Promise.all([approveOnDevicePage(s.url, a.user_code), approveOnDevicePage(s.url, a.user_code, { username: 'alice' })]);
    expect(results.filter((r) => r.html.includes('Your device is connected'))).toHaveLength(1);
    expect(results.filter((r) => r.html.includes('This code has already been used'))).toHaveLength(1);
  });

  it('refuses a form without the CSRF token of this browser', async () => {
    const a = await start();
    const jar = new CookieJar();
    await jar.fetch(`${s.url}/ui/device`);
    const res = await jar.fetch(`${s.url}/ui/device`, { method: 'POST', headers: FORM_TYPE, body: form({ csrf: 'forged', user_code: a.user_code }) });
    expect(res.status).toBe(403);
    expectRetry(await res.text(), 'Your session has changed');
    const noCookie = await fetch(`${s.url}/ui/device`, { method: 'POST', headers: FORM_TYPE, body: form({ csrf: 'x', user_code: a.user_code }) });
    expect(noCookie.status).toBe(403);
  });

  it('skips the login page for a browser that is signed in, but still asks for consent', async () => {
    const a = await start();
    const first = await approveOnDevicePage(s.url, a.user_code, { username: 'alice' });
    const b = await start();
    const { res } = await submitUserCode(s.url, b.user_code, first.jar);
    expect(new URL(res.headers.get('location')!).pathname).toBe('/ui/consent');
  });

  it('a cancelled login denies the device', async () => {
    const a = await start();
    const { res, jar } = await submitUserCode(s.url, a.user_code);
    const loginUrl = new URL(res.headers.get('location')!);
    const login = await (await jar.fetch(loginUrl.href)).text();
    const cancel = login.match(/action="([^"]*\/ui\/login\/cancel\?[^"]*)"/)![1].replace(/&amp;/g, '&');
    let r = await jar.fetch(new URL(cancel, loginUrl).href, { method: 'POST', headers: FORM_TYPE, body: form({ csrf: field(login, 'csrf')! }) });
    while (r.status === 303) r = await jar.fetch(new URL(r.headers.get('location')!, s.url).href);
    expect(await r.text()).toContain('Access denied');
    expect((await poll(a.device_code)).body.error).toBe('access_denied');
  });

  it('ignores a callback that does not belong to this browser', async () => {
    const a = await start();
    const { res, jar } = await submitUserCode(s.url, a.user_code);
    expect(res.status).toBe(303);
    const stranger = await fetch(`${s.url}/ui/device/callback?error=access_denied&state=whatever`);
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('Enter the code again');
    const forged = await jar.fetch(`${s.url}/ui/device/callback?error=access_denied&state=whatever`);
    expect(forged.status).toBe(400);
    // Nothing was decided: the device still waits.
    expect((await poll(a.device_code)).body.error).toBe('authorization_pending');
  });

  it('is translated (ui_locales=de), on every page of the flow', async () => {
    const html = await (await fetch(`${s.url}/ui/device?ui_locales=de`)).text();
    expect(html).toContain('Gerät verbinden');
    expect(html).toContain('lang="de"');
    expect(html).toContain('action="/ui/device?ui_locales=de"');
    const a = await start();
    const jar = new CookieJar();
    const page = await (await jar.fetch(`${s.url}/ui/device?ui_locales=de`)).text();
    let res = await jar.fetch(`${s.url}/ui/device?ui_locales=de`, {
      method: 'POST',
      headers: FORM_TYPE,
      body: form({ csrf: field(page, 'csrf')!, user_code: a.user_code }),
    });
    const loginUrl = new URL(res.headers.get('location')!);
    const login = await (await jar.fetch(loginUrl.href)).text();
    expect(login).toContain('lang="de"');
    res = await jar.fetch(loginUrl.href, { method: 'POST', headers: FORM_TYPE, body: form({ csrf: field(login, 'csrf')!, username: 'bob', password: 'bob' }) });
    const consentUrl = new URL(res.headers.get('location')!);
    const consent = await (await jar.fetch(consentUrl.href)).text();
    expect(consent).toContain('lang="de"');
    res = await jar.fetch(consentUrl.href, {
      method: 'POST',
      headers: FORM_TYPE,
      body: form({ csrf: field(consent, 'csrf')!, decision: 'allow', scope: ['openid', 'api'] }),
    });
    const done = await (await jar.fetch(res.headers.get('location')!)).text();
    expect(done).toContain('Ihr Gerät ist verbunden');
    expect((await poll(a.device_code)).status).toBe(200);
  });
});

describe('device verification page: rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => withDeviceClients(c, { verificationPerIp: 3 }) });
  });
  afterAll(() => s.close());

  it('limits guesses per address (verificationPerIp per rateLimits.window), right or wrong', async () => {
    const jar = new CookieJar();
    for (let i = 0; i < 3; i++) expect((await submitUserCode(s.url, 'BBBB-BBBB', jar)).res.status).toBe(400);
    const { user_code } = (await post(s.url, '/connect/deviceauthorization', { client_id: 'device' })).body as { user_code: string };
    const limited = await submitUserCode(s.url, user_code, jar);
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.res.text()).toContain('Too many failed attempts');
    // The window passes: the right code goes through.
    s.clock.advance(61);
    expect((await submitUserCode(s.url, user_code, jar)).res.status).toBe(303);
  });
});

describe('device verification page with a host app’s own login and consent pages', () => {
  const HOST = 'https://app.example.test';
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => withDeviceClients(c),
      options: { interaction: { interactionUrl: (kind, id) => `${HOST}/${kind}?id=${id}` } },
    });
  });
  afterAll(() => s.close());

  it('hands over to the host pages and comes back to the callback through the resume endpoint', async () => {
    const a = (await post(s.url, '/connect/deviceauthorization', { client_id: 'device', scope: 'openid api' })).body as {
      device_code: string;
      user_code: string;
    };
    const { res, jar } = await submitUserCode(s.url, a.user_code);
    const login = new URL(res.headers.get('location')!);
    expect(`${login.origin}${login.pathname}`).toBe(`${HOST}/login`);
    const afterLogin = await jar.fetch(await s.gh.interactions.login(login.searchParams.get('id')!, jar.header(), { subjectId: '2' }));
    const consent = new URL(afterLogin.headers.get('location')!);
    expect(`${consent.origin}${consent.pathname}`).toBe(`${HOST}/consent`);
    const details = await s.gh.interactions.details(consent.searchParams.get('id')!, jar.header());
    expect(details?.client.clientId).toBe('device');
    const granted = await jar.fetch(await s.gh.interactions.consent(details!.id, jar.header(), { scopes: ['openid', 'api'] }));
    const callback = new URL(granted.headers.get('location')!);
    expect(callback.pathname).toBe('/ui/device/callback');
    expect(await (await jar.fetch(callback.href)).text()).toContain('Your device is connected');
    const tokens = await token(s.url, { grant_type: DEVICE_GRANT, device_code: a.device_code, client_id: 'device' });
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('openid api');
  });
});
