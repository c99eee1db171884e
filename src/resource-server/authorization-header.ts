/**
 * The credentials of a request: `Authorization: <scheme> <token>` (RFC 6750
 * §2.1 for Bearer; RFC 9449 §7.1 for DPoP). Only the header is read: the
 * form-body and query methods of RFC 6750 §2.2/§2.3 are not supported (the
 * query method leaks tokens into logs; RFC 9700 §2.5 forbids it).
 */
import { invalidRequest, invalidToken } from './refusal.js';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN = 8192;

export type Credentials = { kind: 'none' } | { kind: 'unsupported' } | { kind: 'token'; scheme: string; token: string };

export function headerValue(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Reads the credentials. `schemes` are the accepted schemes in lower case
 * (`bearer` and those of the proof verifiers); the answer's scheme is the
 * canonical spelling.
 */
export function readCredentials(value: string | undefined, schemes: ReadonlyMap<string, string>): Credentials {
  if (value === undefined || value.trim() === '') return { kind: 'none' };
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  // RFC 9110 §11.1: the scheme is case-insensitive.
  const canonical = schemes.get(scheme.toLowerCase());
  if (!canonical) return { kind: 'unsupported' };
  const token = space === -1 ? '' : value.slice(space + 1);
  if (token === '') throw invalidRequest(`the ${canonical} credentials carry no token`);
  if (token.length > MAX_TOKEN) throw invalidToken('the token is too long');
  // One space, then one b64token: several Authorization headers joined by a comma, or extra words, are malformed.
  if (!B64TOKEN.test(token)) throw invalidRequest(`malformed ${canonical} credentials`);
  return { kind: 'token', scheme: canonical, token };
}
