/** Plays the browser from an authorization URL through login and consent to the client's callback. */
import { expect } from 'vitest';
import { CookieJar, form } from '../helpers/server.js';

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const formAction = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

/** The callback URL the browser ends on (alice signs in and allows what is asked). */
export async function signInAndConsent(authorizationUrl: URL, redirectUri: string): Promise<URL> {
  const jar = new CookieJar();
  let res = await jar.fetch(authorizationUrl.href);
  expect(res.status).toBe(303);
  let next = new URL(res.headers.get('location')!, authorizationUrl);
  for (let step = 0; step < 6 && !next.href.startsWith(redirectUri); step++) {
    if (next.pathname.endsWith('/ui/login') || next.pathname.endsWith('/ui/consent')) {
      const login = next.pathname.endsWith('/ui/login');
      const page = await (await jar.fetch(next.href)).text();
      const scopes = [...page.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
      const body: Record<string, string | string[]> = login
        ? { csrf: field(page, 'csrf')!, username: 'alice', password: 'alice' }
        : { csrf: field(page, 'csrf')!, decision: 'allow', scope: scopes };
      res = await jar.fetch(new URL(formAction(page, login ? '/ui/login?' : '/ui/consent?')!, next).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(body),
      });
    } else res = await jar.fetch(next.href);
    expect(res.status).toBe(303);
    next = new URL(res.headers.get('location')!, next);
  }
  return next;
}
