import type { SetCookie } from './types.js';

/**
 * The prefix of every cookie on an https issuer (RFC 6265bis §4.1.3.2): the
 * browser accepts such a cookie only with Secure, Path=/ and no Domain, so a
 * sibling subdomain or a plain-http page cannot plant or overwrite it.
 */
export const HOST_PREFIX = '__Host-';

/**
 * The one place a Gatehouse cookie gets its name in the browser: `__Host-` +
 * name on an https issuer, the name itself on http (browsers refuse the
 * prefix without Secure). Used when a cookie is set ({@link serializeCookie}),
 * read ({@link readableCookies}) and by the check_session_iframe script.
 *
 * @example cookieName('gh.session', true) // '__Host-gh.session'
 */
export function cookieName(name: string, secure: boolean): string {
  return secure ? HOST_PREFIX + name : name;
}

/** A cookie record already under plain names (what {@link readableCookies} returns on https). */
class ReadableCookies {
  [name: string]: string;
}

/**
 * The cookies as Gatehouse code reads them, under their plain names. On an
 * https issuer only `__Host-` cookies count: an unprefixed `gh.session` may
 * have been planted (session fixation), so it is ignored. On http, as sent.
 * Idempotent: a record it returned passes through unchanged.
 *
 * @example readableCookies({ '__Host-gh.session': 'h', 'gh.session': 'planted' }, true) // { 'gh.session': 'h' }
 */
export function readableCookies(cookies: Readonly<Record<string, string>>, secure: boolean): Record<string, string> {
  if (!secure || cookies instanceof ReadableCookies) return cookies;
  const out = new ReadableCookies();
  for (const name of Object.keys(cookies)) {
    if (name.startsWith(HOST_PREFIX) && name.length > HOST_PREFIX.length) out[name.slice(HOST_PREFIX.length)] = cookies[name];
  }
  return out;
}

/** Parses a Cookie header; malformed pairs are skipped, values are URI-decoded when valid. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name.length > 128 || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length > 4096) continue;
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        continue;
      }
    }
    out[name] = value;
  }
  return out;
}

/**
 * Serialises a cookie: HttpOnly and SameSite=Lax unless told otherwise. On
 * https issuers the name gets the `__Host-` prefix ({@link cookieName}), with
 * what the prefix requires: Secure, Path=/, no Domain.
 */
export function serializeCookie(c: SetCookie, secure: boolean): string {
  let s = `${cookieName(c.name, secure)}=${encodeURIComponent(c.value)}; Path=${secure ? '/' : (c.path ?? '/')}`;
  if (c.maxAge !== undefined) s += `; Max-Age=${c.maxAge}`;
  if (c.httpOnly !== false) s += '; HttpOnly';
  const sameSite = c.sameSite ?? 'Lax';
  s += `; SameSite=${sameSite}`;
  if (secure || sameSite === 'None') s += '; Secure';
  return s;
}
