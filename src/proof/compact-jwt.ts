/**
 * Strict compact JWS parsing for proofs (RFC 7515 §7.1): exactly three
 * segments of unpadded base64url in canonical form (no padding, whitespace
 * or non-zero trailing bits, so one JWT has exactly one spelling), and UTF-8
 * JSON objects for header and payload. The signature is checked by the
 * caller. (A provider-wide `src/tokens/compact-jws.ts` is planned; this one
 * has no dependency so the resource server can use it.)
 */

const SEGMENT = /^[A-Za-z0-9_-]+$/;

export class MalformedJwt extends Error {
  override readonly name = 'MalformedJwt';
}

export interface ParsedCompactJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function segmentBytes(segment: string, what: string): Buffer {
  if (!SEGMENT.test(segment)) throw new MalformedJwt(`the JWT ${what} is not unpadded base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  // RFC 4648 §3.5: the unused bits of the last character must be zero (canonical encoding).
  if (bytes.toString('base64url') !== segment) throw new MalformedJwt(`the JWT ${what} is not canonical base64url`);
  return bytes;
}

function jsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new MalformedJwt(`the JWT ${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedJwt(`the JWT ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Parses a compact JWS; throws {@link MalformedJwt} for anything else (JWE, JSON serialization, non-canonical text). */
export function parseCompactJwt(text: string): ParsedCompactJwt {
  const parts = text.split('.');
  if (parts.length !== 3) throw new MalformedJwt('not a JWT in compact serialization (three segments)');
  const header = jsonObject(segmentBytes(parts[0]!, 'header'), 'header');
  const payload = jsonObject(segmentBytes(parts[1]!, 'payload'), 'payload');
  segmentBytes(parts[2]!, 'signature');
  return { header, payload };
}
