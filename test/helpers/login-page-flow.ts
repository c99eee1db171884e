/**
 * Plays the browser for a client library's code flow: follows the
 * authorization URL to the built-in login page, submits it, and follows the
 * redirects back until the client's redirect URI; returns that callback URL.
 */
import { expect } from 'vitest';
import { CookieJar, form } from './server.js';

export const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
export const loginAction = (html: string) => html.match(/action="([^"]*\/ui\/login\?[^"]*)"/)?.[1]?.replace(/&amp;/g, '&');

export async function signInThroughLoginPage(authorizationUrl: URL, username: string, password: string, redirectUri: string): Promise<URL> {
  const jar = new CookieJar();
  let res = await jar.fetch(authorizationUrl.href);
  expect(res.status).toBe(303);
  const loginUrl = new URL(res.headers.get('location')!, authorizationUrl);
  expect(loginUrl.pathname).toBe('/ui/login');
  const page = await (await jar.fetch(loginUrl.href)).text();
  res = await jar.fetch(new URL(loginAction(page)!, loginUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ csrf: field(page, 'csrf')!, username, password }),
  });
  expect(res.status).toBe(303);
  // Back through the authorization endpoint (no consent for these clients) to the client.
  let next = new URL(res.headers.get('location')!, loginUrl);
  while (!next.href.startsWith(redirectUri)) {
    res = await jar.fetch(next.href);
    expect(res.status).toBe(303);
    next = new URL(res.headers.get('location')!, next);
  }
  return next;
}
