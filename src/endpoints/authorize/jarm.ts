/**
 * JARM: JWT Secured Authorization Response Mode for OAuth 2.0. The
 * authorization response parameters (success and error, §2.1, §2.2) travel in
 * one signed JWT, the `response` parameter, with `iss`, `aud` (the client id)
 * and `exp`; optionally encrypted to the client's key (§2.2: a nested JWT,
 * `authorization_encrypted_response_alg/enc`). Response modes (§2.3):
 * `query.jwt`, `fragment.jwt`, `form_post.jwt`, and `jwt`, which means the
 * response type's default encoding (query for `code`, fragment otherwise).
 */
import type { SigningAlgorithm } from '../../config/schema.js';
import type { ProviderContext } from '../../context.js';
import type { Client } from '../../model/types.js';
import type { ResponseMode } from '../../model/authorization-request.js';
import { encryptJwt } from '../../tokens/encrypt-jwt.js';
import { clientKeyHolder } from '../../tokens/encryption-key.js';
import { responseSigningKey } from '../../tokens/response-signing-key.js';
import { signJwt } from '../../tokens/sign-jwt.js';

/** The JARM response modes as requested (`jwt` resolves to one of the others). */
export const JWT_RESPONSE_MODES = ['jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt'] as const;

/** Seconds a JARM response is valid (§2.1 `exp`: "Expiration of the JWT"; the spec recommends a short lifetime, e.g. 10 minutes). */
export const JARM_LIFETIME = 600;

/** True for the JARM modes. */
export const isJwtMode = (mode: string): boolean => mode.endsWith('.jwt');

/** The plain encoding a JARM mode uses to deliver `response`. */
export function deliveryOf(mode: ResponseMode): 'query' | 'fragment' | 'form_post' {
  return mode.replace(/\.jwt$/, '') as 'query' | 'fragment' | 'form_post';
}

/** JARM §3: the client's alg; else RS256 when the server has an RS256 key, else its first alg. */
function signingAlg(ctx: ProviderContext, client: Client | undefined): SigningAlgorithm | undefined {
  if (client?.authorizationSignedResponseAlg) return client.authorizationSignedResponseAlg;
  return ctx.config.keys.algorithms.includes('RS256') ? 'RS256' : undefined;
}

/**
 * The `response` JWT for the parameters (`iss` is a claim, RFC 9207 §2.4's
 * separate parameter is not added). Signed, then encrypted when the client
 * registered an alg (§2.2).
 *
 * @example const response = await jarmResponse(ctx, client, { code, state });
 */
export async function jarmResponse(ctx: ProviderContext, client: Client | undefined, clientId: string, params: Record<string, string>): Promise<string> {
  const now = ctx.clock.now();
  const claims: Record<string, unknown> = { ...params, iss: ctx.issuer, aud: clientId, exp: now + JARM_LIFETIME, iat: now };
  const signed = await signJwt(claims, responseSigningKey(ctx, signingAlg(ctx, client)));
  const alg = client?.authorizationEncryptedResponseAlg;
  if (!client || !alg) return signed;
  // A client without a usable key gets invalid_client_metadata from encryptJwt (never a 5xx).
  return encryptJwt(ctx, clientKeyHolder(client), signed, { alg, enc: client.authorizationEncryptedResponseEnc, cty: 'JWT' });
}
