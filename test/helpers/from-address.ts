/**
 * Requests from a chosen local address: on loopback every 127.x.y.z is a
 * distinct client address, so tests can be "another user" or "the attacker"
 * (and forge proxy headers from a trusted or an untrusted socket).
 */
import http from 'node:http';
import { form } from './server.js';
import { actions, authorizeUrl, authParams, field, FORM } from '../interaction/interaction-helpers.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with its own connection, bound to `from` (default 127.0.0.1). */
export function requestFrom(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.from ?? '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A built-in login page reached from `from`: its form target, CSRF token and the interaction's cookie. */
export async function loginFormFrom(base: string, from: string, headers: Record<string, string> = {}) {
  const { params } = await authParams();
  const first = await requestFrom(authorizeUrl(base, params), { from, headers });
  if (first.status !== 303) throw new Error(`authorize answered ${first.status}: ${first.body.slice(0, 200)}`);
  const cookie = (first.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
  const page = await requestFrom(new URL(first.headers.location!, base).toString(), { from, headers: { ...headers, cookie } });
  const action = new URL(
    actions(page.body).find((a) => a.includes('/ui/login?'))!,
    base,
  ).toString();
  return { cookie, action, csrf: field(page.body, 'csrf')! };
}

export type LoginForm = Awaited<ReturnType<typeof loginFormFrom>>;

/** Posts a username and password to a login form from `from`. */
export const postLoginFrom = (f: LoginForm, from: string, username: string, password: string, headers: Record<string, string> = {}) =>
  requestFrom(f.action, {
    method: 'POST',
    from,
    headers: { ...FORM, ...headers, cookie: f.cookie },
    body: form({ csrf: f.csrf, username, password }).toString(),
  });
