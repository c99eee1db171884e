/**
 * JWT access tokens, validated as RFC 9068 §4 says: compact JWS only,
 * `typ` `at+jwt`, an allowed asymmetric `alg`, the signature with the
 * issuer's key for the header's `kid`, then the claims (token-claims.ts).
 */
import { compactVerify } from 'jose';
import { parseCompactJws } from './compact-jws.js';
import type { JwksSource } from './jwks-source.js';
import { invalidToken } from './refusal.js';
import { checkClaims, type ClaimRules } from './token-claims.js';
import type { AccessTokenInfo, JwsAlgorithm } from './types.js';

export interface JwtRules extends ClaimRules {
  algorithms: ReadonlySet<JwsAlgorithm>;
}

/** RFC 9068 §4: "at+jwt" or "application/at+jwt"; media types compare case-insensitively (RFC 7515 §4.1.9). */
const isAtJwt = (typ: unknown) => typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());

export async function verifyJwtAccessToken(token: string, rules: JwtRules, keys: JwksSource, now: number): Promise<Omit<AccessTokenInfo, 'scheme'>> {
  const { header, payload } = parseCompactJws(token);
  if (!isAtJwt(header.typ)) throw invalidToken('the token is not a JWT access token (typ at+jwt, RFC 9068)');
  const alg = header.alg;
  if (typeof alg !== 'string' || !rules.algorithms.has(alg as JwsAlgorithm))
    throw invalidToken('the token is signed with an algorithm this API does not accept');
  // RFC 7515 §4.1.11: no extension this API understands, so any crit header is refused.
  if (header.crit !== undefined) throw invalidToken('the token has a crit header');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw invalidToken('the token has an invalid kid');
  const key = await keys.key(header.kid, alg as JwsAlgorithm);
  try {
    await compactVerify(token, key, { algorithms: [alg] });
  } catch {
    throw invalidToken('the token signature is invalid');
  }
  const info = checkClaims(payload, rules, now, true);
  // RFC 9068 §2.2: required claims of a JWT access token.
  for (const name of ['sub', 'client_id', 'iat', 'jti'] as const) {
    if (payload[name] === undefined) throw invalidToken(`the token has no ${name}`);
  }
  if (typeof payload.jti !== 'string') throw invalidToken('the token has an invalid jti');
  return { ...info, token, format: 'jwt' };
}
