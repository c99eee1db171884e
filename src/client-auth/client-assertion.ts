/**
 * JWT client assertions shared by client_secret_jwt and private_key_jwt
 * (RFC 7521 §4.2, RFC 7523 §2.2 and §3, OIDC Core §9).
 */
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { AuthEndpoint, ProviderContext } from '../context.js';
import { InvalidClient } from '../errors.js';
import { required } from '../core/params.js';
import type { InternalRequest } from '../core/types.js';
import type { Client } from '../model/types.js';
import { isCompactJws } from '../tokens/compact-jws.js';
import { clientAuthFailed } from './client-auth-failure.js';
import { hasParam } from './client-secret-post.js';

/** RFC 7523 §2.2: the only client_assertion_type this server accepts. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Largest accepted client_assertion, in characters. */
export const ASSERTION_LIMIT = 8192;
/** Allowed clock skew between client and server, in seconds (RFC 7523 §3 items 4-6 "reasonable leeway"). */
export const CLOCK_SKEW = 60;
/**
 * Assertions must expire within this many seconds (plus skew). RFC 7523 §3
 * lets the server limit how far ahead exp may be; bounding it also bounds
 * how long replay records (jti) must be kept.
 */
export const MAX_ASSERTION_LIFETIME = 3600;
const JTI_LIMIT = 512;

/** Does the request carry a client assertion (or its type)? */
export function assertionPresented(req: InternalRequest): boolean {
  return hasParam(req, 'client_assertion') || hasParam(req, 'client_assertion_type');
}

/** The `alg` of the presented assertion's header, if it decodes (no verification). */
export function assertionAlg(req: InternalRequest): string | undefined {
  const value = req.body.get('client_assertion')?.[0];
  if (!value || !isCompactJws(value)) return undefined;
  try {
    return decodeProtectedHeader(value).alg;
  } catch {
    return undefined;
  }
}

/** The client_assertion after the RFC 7523 §2.2 type check. */
export function readAssertion(req: InternalRequest): string {
  const type = required(req.body, 'client_assertion_type', 256);
  const assertion = required(req.body, 'client_assertion', ASSERTION_LIMIT);
  if (type !== JWT_BEARER_ASSERTION_TYPE) {
    throw clientAuthFailed(`client_assertion_type ${type}`, 'unsupported client_assertion_type');
  }
  // RFC 7515 §7.1 in its one canonical form: no whitespace, padding or stray bits (tokens/compact-jws.ts).
  if (!isCompactJws(assertion)) throw clientAuthFailed('client_assertion is not a canonical compact JWS', 'client_assertion is not a valid JWT');
  return assertion;
}

/**
 * The client id an assertion claims: RFC 7523 §3 items 1 and 2.B, iss and
 * sub MUST both be the client_id. Read before verification to find the client.
 */
export function assertionClientId(req: InternalRequest): string {
  const assertion = readAssertion(req);
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw clientAuthFailed('client_assertion is not a JWT', 'client_assertion is not a valid JWT');
  }
  if (typeof claims.sub !== 'string' || !claims.sub) throw clientAuthFailed('assertion without sub', 'client assertion sub claim missing');
  if (claims.iss !== claims.sub) throw clientAuthFailed('assertion iss differs from sub', 'client assertion iss must equal sub');
  return claims.sub;
}

/**
 * jwtVerify options: iss = sub = client_id; exp and jti required. The
 * audience is checked apart, after the signature ({@link checkAssertionAudience}).
 */
export function assertionVerifyOptions(client: Client, ctx: ProviderContext, _endpoint: AuthEndpoint, algorithms: readonly string[]): JWTVerifyOptions {
  return {
    algorithms: [...algorithms],
    issuer: client.clientId,
    subject: client.clientId,
    currentDate: new Date(ctx.clock.now() * 1000),
    clockTolerance: CLOCK_SKEW,
    requiredClaims: ['exp', 'jti'],
  };
}

/**
 * The audience values an assertion presented at `endpoint` may carry. By
 * default only the issuer identifier: draft-ietf-oauth-rfc7523bis (its update
 * of RFC 7523 §3: the AS "MUST reject any JWT that does not contain its issuer
 * identifier as its sole audience value") and the OpenID Foundation's 2025
 * updates after the audience-injection disclosure. With `clientAuthentication.acceptEndpointAudience`
 * (or the client's own `acceptEndpointAudience`) also the token endpoint URL
 * (RFC 7523 §3, OIDC Core §9 before the errata) and the URL of the endpoint
 * the assertion was presented to (RFC 9126 §2, and what some clients send at
 * introspection and revocation).
 *
 * @example
 * acceptedAudiences(client, ctx, 'introspection'); // Set { 'https://id.example.com' }
 */
export function acceptedAudiences(client: Client, ctx: ProviderContext, endpoint: AuthEndpoint): ReadonlySet<string> {
  const compat = client.acceptEndpointAudience ?? ctx.config.clientAuthentication.acceptEndpointAudience;
  return new Set(compat ? [ctx.issuer, ctx.endpoints.token, ctx.endpoints[endpoint]] : [ctx.issuer]);
}

/**
 * Throws invalid_client unless `aud` is an accepted audience, as a string or
 * a one-element array; with the compatibility setting an array whose every
 * value is accepted. A list holding any other value is refused: a client may
 * have been tricked into minting it for another server (audience injection).
 */
export function checkAssertionAudience(aud: unknown, client: Client, ctx: ProviderContext, endpoint: AuthEndpoint): void {
  const accepted = acceptedAudiences(client, ctx, endpoint);
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  const ok = values.length > 0 && values.every((v) => typeof v === 'string' && accepted.has(v)) && (values.length === 1 || accepted.size > 1);
  if (!ok) {
    const shown = JSON.stringify(aud ?? null).slice(0, 300);
    throw clientAuthFailed(`aud ${shown} is not ${[...accepted].join(' or ')}`, 'client assertion aud claim invalid');
  }
}

/** Maps a jose failure to invalid_client. Claim failures come after a good signature, so they may say why. */
export function assertionFailure(err: unknown): InvalidClient {
  if (err instanceof errors.JWTExpired) return clientAuthFailed(err.message, 'client assertion expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    return clientAuthFailed(err.message, `client assertion ${err.claim} claim invalid`);
  }
  if (err instanceof errors.JOSEError) return clientAuthFailed(`${err.code}: ${err.message}`);
  if (err instanceof InvalidClient) return err;
  return clientAuthFailed(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

/**
 * Checks jose does not make (audience, iat, exp horizon) and records the jti so the assertion is single
 * use (RFC 7523 §3 item 7). Call after jwtVerify succeeded.
 */
export async function acceptAssertion(payload: JWTPayload, client: Client, ctx: ProviderContext, endpoint: AuthEndpoint): Promise<void> {
  checkAssertionAudience(payload.aud, client, ctx, endpoint);
  const now = ctx.clock.now();
  const exp = payload.exp;
  // jwtVerify required exp (requiredClaims) and checked it is a number; this tells the compiler.
  if (exp === undefined) throw clientAuthFailed('no exp', 'client assertion exp claim missing');
  if (typeof payload.iat === 'number' && payload.iat > now + CLOCK_SKEW) {
    throw clientAuthFailed('iat in the future', 'client assertion iat claim invalid');
  }
  if (exp > now + MAX_ASSERTION_LIFETIME + CLOCK_SKEW) {
    throw clientAuthFailed(`exp ${exp - now}s ahead`, 'client assertion exp too far in the future');
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || !jti || jti.length > JTI_LIMIT) {
    throw clientAuthFailed('jti missing or not a string', 'client assertion jti claim invalid');
  }
  const id = createHash('sha256').update(`${client.clientId}\u0000${jti}`).digest('base64url');
  const fresh = await ctx.stores.replay.markOnce(id, now, exp + CLOCK_SKEW, client.clientId);
  if (!fresh) throw clientAuthFailed('jti replayed', 'client assertion has already been used');
}
