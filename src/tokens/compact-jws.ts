/**
 * The one syntax check for every JWT that comes in (id_token_hint, client
 * assertions, bearer access tokens; later request objects and DPoP proofs):
 * the canonical JWS Compact Serialization of RFC 7515 §7.1, before any
 * decoding or signature check.
 *
 * jose decodes base64url with the platform's forgiving decoder, which skips
 * whitespace, accepts `=` padding and ignores the unused low bits of the last
 * character. A token altered in those ways still verifies, so a signature
 * would no longer pin one exact string. Here each part must be unpadded
 * base64url (RFC 7515 §2, RFC 4648 §5) in its only encoding.
 */

/** base64url characters, no padding (RFC 7515 §2 "Base64url Encoding"). */
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Last characters whose unused low bits are zero: 2 bits free (length % 4 === 3), 4 bits free (% 4 === 2). */
const LAST_OF_3 = /[AEIMQUYcgkosw048]$/;
const LAST_OF_2 = /[AQgw]$/;

/** Is `part` the canonical unpadded base64url encoding of some bytes (the empty string encodes none)? */
export function isCanonicalBase64url(part: string): boolean {
  if (part === '') return true;
  if (!BASE64URL.test(part)) return false;
  switch (part.length % 4) {
    case 0:
      return true;
    case 2:
      return LAST_OF_2.test(part);
    case 3:
      return LAST_OF_3.test(part);
    default:
      return false; // one character left over encodes no whole byte
  }
}

/**
 * Is `token` a JWS in canonical compact serialization: exactly three parts,
 * each canonical base64url, the header and the payload non-empty, nothing
 * else (no whitespace, padding or line breaks anywhere)? An empty signature
 * (alg `none`) is well-formed here and refused by every verifier's alg check.
 *
 * @example
 * isCompactJws('eyJhbGciOiJFUzI1NiJ9.e30.c2ln'); // true
 * isCompactJws('eyJhbGciOiJFUzI1NiJ9.e30.c2ln\n'); // false
 */
export function isCompactJws(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts[0] !== '' && parts[1] !== '' && parts.every(isCanonicalBase64url);
}

/** A JWT that is not a canonical compact JWS with JSON object header and payload. */
export class MalformedJwt extends Error {
  override readonly name = 'MalformedJwt';
}

export interface ParsedCompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(part, 'base64url')));
  } catch {
    throw new MalformedJwt(`the JWT ${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedJwt(`the JWT ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/**
 * Checks {@link isCompactJws} and decodes header and payload (no signature
 * check); throws {@link MalformedJwt} for anything else (JWE, JSON
 * serialization, non-canonical text, non-object JSON).
 */
export function parseCompactJws(token: string): ParsedCompactJws {
  if (!isCompactJws(token)) throw new MalformedJwt('not a JWS in canonical compact serialization');
  const [header, payload] = token.split('.') as [string, string, string];
  return { header: jsonPart(header, 'header'), payload: jsonPart(payload, 'payload') };
}
