/**
 * Plays the user's browser for the non-browser interop clients: follows an
 * authorization URL through Gatehouse's login and consent pages and returns
 * the callback URL the client would receive. No HTML knowledge beyond the
 * form fields a person fills in.
 */
import { expect } from 'vitest';
import { CookieJar, form } from '../helpers/server.js';

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const formAction = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

export interface SignInResult {
  callback: URL;
  jar: CookieJar;
  /** Pages shown on the way: 'login', 'consent'. */
  pages: string[];
}

/**
 * Follows `authorizationUrl` until the browser is sent to a URL starting with
 * `redirectPrefix`, signing in and allowing consent on the way.
 */
export async function signIn(
  authorizationUrl: URL | string,
  redirectPrefix: string,
  opts: { username?: string; password?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  const jar = opts.jar ?? new CookieJar();
  const pages: string[] = [];
  let url = new URL(authorizationUrl);
  let res = await jar.fetch(url.href);
  for (let hops = 0; hops < 12; hops++) {
    expect([302, 303], `unexpected ${res.status} at ${url.href}`).toContain(res.status);
    const next = new URL(res.headers.get('location')!, url);
    if (next.href.startsWith(redirectPrefix)) return { callback: next, jar, pages };
    url = next;
    if (next.pathname.endsWith('/ui/login')) {
      const html = await (await jar.fetch(next.href)).text();
      pages.push('login');
      res = await jar.fetch(new URL(formAction(html, '/ui/login?')!, next).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: field(html, 'csrf')!, username: opts.username ?? 'alice', password: opts.password ?? 'alice' }),
      });
    } else if (next.pathname.endsWith('/ui/consent')) {
      const html = await (await jar.fetch(next.href)).text();
      pages.push('consent');
      const scopes = [...html.matchAll(/name="scope" value="([^"]*)"/g)].map((m) => m[1]);
      res = await jar.fetch(new URL(formAction(html, '/ui/consent?')!, next).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: field(html, 'csrf')!, decision: 'allow', scope: scopes }),
      });
    } else {
      res = await jar.fetch(next.href);
    }
  }
  throw new Error(`no redirect to ${redirectPrefix}`);
}
