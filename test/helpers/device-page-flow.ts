/**
 * Plays the user of the device flow (RFC 8628 §3.3): opens the verification
 * page, enters the code, signs in on the built-in login page and answers the
 * consent page, then follows the redirects to the done page.
 */
import { expect } from 'vitest';
import { CookieJar, form } from './server.js';
import { field } from './login-page-flow.js';

const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

export interface DevicePageResult {
  /** The last page: the done page, or the code form with an error. */
  status: number;
  html: string;
  jar: CookieJar;
}

/** Every value of the checkbox / hidden inputs named `name`. */
export const values = (html: string, name: string) => [...html.matchAll(new RegExp(`name="${name}" value="([^"]*)"`, 'g'))].map((m) => m[1]);

/** Opens `{ui}/device` (with `?user_code=` when `prefill`) and submits `userCode`; the response to the POST. */
export async function submitUserCode(issuer: string, userCode: string, jar = new CookieJar(), prefill = false): Promise<{ res: Response; jar: CookieJar }> {
  const pageUrl = `${issuer}/ui/device${prefill ? `?user_code=${encodeURIComponent(userCode)}` : ''}`;
  const page = await (await jar.fetch(pageUrl)).text();
  const res = await jar.fetch(`${issuer}/ui/device`, { method: 'POST', headers: FORM_TYPE, body: form({ csrf: field(page, 'csrf')!, user_code: userCode }) });
  return { res, jar };
}

/** Follows redirects (GET) from `res` while they stay on the issuer; the last response. */
async function follow(jar: CookieJar, res: Response, from: string): Promise<Response> {
  let url = from;
  while (res.status === 303) {
    url = new URL(res.headers.get('location')!, url).href;
    res = await jar.fetch(url);
  }
  return res;
}

/**
 * The whole verification: code, sign-in (unless the browser has a session),
 * consent with `decision`. `username` undefined: the jar is already signed in.
 */
export async function approveOnDevicePage(
  issuer: string,
  userCode: string,
  opts: { username?: string; password?: string; decision?: 'allow' | 'deny'; jar?: CookieJar; prefill?: boolean } = {},
): Promise<DevicePageResult> {
  const { res: posted, jar } = await submitUserCode(issuer, userCode, opts.jar, opts.prefill ?? true);
  if (posted.status !== 303) return { status: posted.status, html: await posted.text(), jar };
  let next = new URL(posted.headers.get('location')!, issuer);
  if (next.pathname === '/ui/login') {
    const login = await (await jar.fetch(next.href)).text();
    const action = login.match(/action="([^"]*\/ui\/login\?[^"]*)"/)![1].replace(/&amp;/g, '&');
    const res = await jar.fetch(new URL(action, next).href, {
      method: 'POST',
      headers: FORM_TYPE,
      body: form({ csrf: field(login, 'csrf')!, username: opts.username ?? 'bob', password: opts.password ?? opts.username ?? 'bob' }),
    });
    expect(res.status).toBe(303);
    next = new URL(res.headers.get('location')!, next);
  }
  expect(next.pathname).toBe('/ui/consent');
  const consent = await (await jar.fetch(next.href)).text();
  const decided = await jar.fetch(next.href, {
    method: 'POST',
    headers: FORM_TYPE,
    body: form({ csrf: field(consent, 'csrf')!, decision: opts.decision ?? 'allow', scope: values(consent, 'scope') }),
  });
  const done = await follow(jar, decided, next.href);
  return { status: done.status, html: await done.text(), jar };
}

/** Test clients beside the demo's public `device`: a confidential one and a second public one. */
export function withDeviceClients(c: { clients?: unknown[]; deviceFlow?: Record<string, unknown> }, deviceFlow: Record<string, unknown> = {}): void {
  const grants = ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'];
  const scopes = ['openid', 'profile', 'email', 'api', 'offline_access'];
  c.clients = [
    ...(c.clients ?? []),
    {
      clientId: 'device.confidential',
      clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
      allowedGrantTypes: grants,
      allowedScopes: scopes,
      allowOfflineAccess: true,
      pollingInterval: 7,
    },
    { clientId: 'device.other', requireClientSecret: false, allowedGrantTypes: grants, allowedScopes: ['openid', 'api'] },
  ];
  c.deviceFlow = { verificationPerIp: 1000, ...deviceFlow };
}

export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
