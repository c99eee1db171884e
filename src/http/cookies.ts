import type { SetCookie } from './types.js';

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

/** Serialises a cookie: HttpOnly and SameSite=Lax unless told otherwise; Secure on https issuers. */
export function serializeCookie(c: SetCookie, secure: boolean): string {
  let s = `${c.name}=${encodeURIComponent(c.value)}; Path=${c.path ?? '/'}`;
  if (c.maxAge !== undefined) s += `; Max-Age=${c.maxAge}`;
  if (c.httpOnly !== false) s += '; HttpOnly';
  const sameSite = c.sameSite ?? 'Lax';
  s += `; SameSite=${sameSite}`;
  if (secure || sameSite === 'None') s += '; Secure';
  return s;
}
