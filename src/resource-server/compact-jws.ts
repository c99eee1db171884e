/**
 * Strict parsing of a JWS in compact serialisation (RFC 7515 §7.1): three
 * segments of unpadded base64url in canonical form (re-encoding gives the
 * same text, so no two spellings of one token exist), UTF-8 JSON objects for
 * header and payload. JSON serialisation, JWE (five segments) and anything
 * else are refused.
 */
import { invalidToken } from './refusal.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** True when `token` has the shape of a compact JWS (three dot-separated segments). */
export function looksLikeJws(token: string): boolean {
  let dots = 0;
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 46) dots++;
  return dots === 2;
}

function decodeSegment(segment: string, what: string): Uint8Array {
  if (!SEGMENT.test(segment)) throw invalidToken(`the JWT ${what} is not base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  // RFC 7515 §2 / RFC 4648 §3.5: the unused bits of the last character must be zero.
  if (bytes.toString('base64url') !== segment) throw invalidToken(`the JWT ${what} is not canonical base64url`);
  return bytes;
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw invalidToken(`the JWT ${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidToken(`the JWT ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Parses the header and payload; the signature is checked by the caller. */
export function parseCompactJws(token: string): ParsedJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw invalidToken('the token is not a JWS in compact serialization');
  const header = jsonObject(decodeSegment(parts[0]!, 'header'), 'header');
  const payload = jsonObject(decodeSegment(parts[1]!, 'payload'), 'payload');
  decodeSegment(parts[2]!, 'signature');
  return { header, payload };
}
