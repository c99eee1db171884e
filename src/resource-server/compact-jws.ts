/**
 * Strict parsing of a JWS access token (RFC 7515 §7.1) through the one
 * canonical-compact-serialization check (tokens/compact-jws.ts), answered as
 * the resource server's `invalid_token` refusal.
 */
import { MalformedJwt, parseCompactJws as parseStrict, type ParsedCompactJws } from '../tokens/compact-jws.js';
import { invalidToken } from './refusal.js';

export type ParsedJws = ParsedCompactJws;

/** True when `token` has the shape of a compact JWS (three dot-separated segments). */
export function looksLikeJws(token: string): boolean {
  let dots = 0;
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 46) dots++;
  return dots === 2;
}

/** Parses the header and payload; the signature is checked by the caller. */
export function parseCompactJws(token: string): ParsedJws {
  try {
    return parseStrict(token);
  } catch (err) {
    if (err instanceof MalformedJwt) throw invalidToken(err.message);
    throw err;
  }
}
