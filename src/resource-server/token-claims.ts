/**
 * Checks on the claims of an access token, shared by JWTs and introspection
 * answers: issuer, times with leeway, audience, and the shape of `scope`.
 */
import { invalidToken } from './refusal.js';
import type { AccessTokenInfo } from './types.js';

export interface ClaimRules {
  issuer: string;
  audiences: ReadonlySet<string>;
  leeway: number;
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optionalString = (v: unknown, name: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidToken(`the token's ${name} is not a string`);
  return v;
};

/** Audience values: a string or an array of strings (RFC 7519 §4.1.3). */
export function audiencesOf(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud;
  throw invalidToken('the token has no valid aud');
}

/**
 * Checks iss, exp, nbf, iat and aud and returns the token's description.
 * `requireExp`: JWTs must expire (RFC 9068 §2.2); an introspection answer may omit it.
 */
export function checkClaims(
  claims: Record<string, unknown>,
  rules: ClaimRules,
  now: number,
  requireExp: boolean,
): Omit<AccessTokenInfo, 'token' | 'format' | 'scheme'> {
  if (claims.iss !== rules.issuer) throw invalidToken('the token was issued by another issuer');
  const { exp, nbf, iat } = claims;
  if (exp === undefined ? requireExp : !isTime(exp)) throw invalidToken('the token has no valid exp');
  if (isTime(exp) && exp <= now - rules.leeway) throw invalidToken('the token has expired');
  if (nbf !== undefined && (!isTime(nbf) || nbf > now + rules.leeway)) throw invalidToken('the token is not valid yet');
  if (iat !== undefined && (!isTime(iat) || iat > now + rules.leeway)) throw invalidToken('the token was issued in the future');
  const audiences = audiencesOf(claims.aud);
  // RFC 9068 §4 (and RFC 8707): the token must be meant for this API.
  if (!audiences.some((a) => rules.audiences.has(a))) throw invalidToken('the token is not meant for this API (aud)');
  const scope = optionalString(claims.scope, 'scope');
  const cnf = claims.cnf;
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))) throw invalidToken('the token has an invalid cnf');
  return {
    claims,
    subject: optionalString(claims.sub, 'sub'),
    clientId: optionalString(claims.client_id, 'client_id'),
    scopes: scope ? scope.split(' ').filter((s) => s !== '') : [],
    audiences,
    expiresAt: isTime(exp) ? exp : undefined,
    cnf: cnf as Record<string, unknown> | undefined,
  };
}
