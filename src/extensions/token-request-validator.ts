/**
 * The custom token request validator (IdentityServer's
 * ICustomTokenRequestValidator): runs at the token endpoint after the
 * built-in validation of a grant, before tokens are issued (before a refresh
 * token is rotated). It may add access token claims, change the access
 * token's lifetime, or refuse the request by throwing an OAuthError
 * (`new InvalidGrant('...')`, `new InvalidRequest('...')`, ...).
 */
import type { ProviderContext } from '../context.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';

export interface TokenRequestContext {
  grantType: string;
  client: Client;
  /** The user; undefined for client_credentials and subject-less extension grants. */
  subjectId?: string;
  /** The scopes the tokens will carry. */
  scopes: readonly string[];
  /** The token request's body parameters. */
  body: Params;
  /** Claims for the access token; add to it (protocol claims are never overridden). */
  accessTokenClaims: Record<string, unknown>;
  /** Seconds; starts at the client's accessTokenLifetime. */
  accessTokenLifetime: number;
}

/**
 * @example
 * const tokenRequestValidator: CustomTokenRequestValidator = {
 *   validate(context) {
 *     if (context.client.clientId === 'kiosk') context.accessTokenLifetime = 300;
 *     context.accessTokenClaims.tenant = 'acme';
 *   },
 * };
 */
export interface CustomTokenRequestValidator {
  validate(context: TokenRequestContext): void | Promise<void>;
}

/** What the validator decided: extra claims and the lifetime. */
export interface TokenRequestDecision {
  accessTokenClaims: Record<string, unknown>;
  accessTokenLifetime: number;
}

/**
 * Runs the host's validator, if any. Without one, the claims pass unchanged
 * and no promise is awaited beyond the caller's own.
 */
export async function runTokenRequestValidator(ctx: ProviderContext, input: Omit<TokenRequestContext, 'accessTokenLifetime'>): Promise<TokenRequestDecision> {
  const context: TokenRequestContext = { ...input, accessTokenClaims: { ...input.accessTokenClaims }, accessTokenLifetime: input.client.accessTokenLifetime };
  await ctx.extensions.tokenRequestValidator?.validate(context);
  const lifetime = context.accessTokenLifetime;
  if (!Number.isInteger(lifetime) || lifetime <= 0) throw new TypeError('tokenRequestValidator set accessTokenLifetime to a non-positive or non-integer value');
  return { accessTokenClaims: context.accessTokenClaims, accessTokenLifetime: lifetime };
}
