/**
 * The token service a custom grant calls: issues the access token (JWT or
 * reference, per client), and for a user a refresh token when offline_access
 * was granted, through the same builders as the built-in grants
 * (tokens/access-token.ts, tokens/refresh-token.ts). Scopes are validated
 * against the client and the resources; the profile service supplies the
 * user's claims and may refuse an inactive user; the custom token request
 * validator runs before anything is issued.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidScope } from '../errors.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import { issueAccessToken } from '../tokens/access-token.js';
import { absoluteRefreshExpiry, issueRefreshToken } from '../tokens/refresh-token.js';
import { activeGrantSubject, profileClaims } from '../tokens/user-claims.js';
import { runTokenRequestValidator } from './token-request-validator.js';
import type { IsActiveCaller } from './profile-service.js';

export interface TokenIssueRequest {
  client: Client;
  /** The grant_type, for events and the custom token request validator. */
  grantType: string;
  /** The user; absent for a token of the client itself (sub = client_id). */
  subjectId?: string;
  /** Requested scopes; validated against the client (identity scopes need a subject). */
  scopes: readonly string[];
  /** RFC 8707 resource indicators. */
  resources?: readonly string[];
  /** Extra access token claims (protocol claims are never overridden). */
  claims?: Record<string, unknown>;
  /** The token request's parameters (for the custom token request validator). */
  body?: Params;
  authTime?: number;
  amr?: string[];
  acr?: string;
  /** Who asks the profile service whether the user is active; default 'extension_grant'. */
  caller?: IsActiveCaller;
}

/** RFC 6749 §5.1: the successful token response body. */
export interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/**
 * Issues tokens for a validated custom grant. Throws an OAuthError
 * (invalid_scope, invalid_grant for an inactive user, or the validator's).
 *
 * @example
 * const body = await issueTokens(ctx, { client, grantType: 'urn:example:otp', subjectId: '42', scopes: ['api'] });
 * return noStoreJson(body);
 */
export async function issueTokens(ctx: ProviderContext, req: TokenIssueRequest): Promise<TokenResponseBody> {
  const { client } = req;
  const granted = validateScopes(ctx.resources, client, { requested: req.scopes, resourceIndicators: req.resources ?? [], apiOnly: req.subjectId === undefined });
  // An extension grant issues no ID token (IdentityServer's semantics): openid only names the userinfo scope.
  if (granted.scopes.length === 0) throw new InvalidScope('no scope requested');
  const audiences = granted.resources.map((r) => r.name);
  const withRefresh = req.subjectId !== undefined && granted.offlineAccess && client.allowOfflineAccess && client.grantTypeSet.has('refresh_token');
  const scopes = withRefresh ? granted.scopes : granted.scopes.filter((s) => s !== 'offline_access');
  let claims: Record<string, unknown> = { ...req.claims };
  if (req.subjectId !== undefined) {
    const { subjectId, user } = await activeGrantSubject(ctx, req.subjectId, client, req.caller ?? 'extension_grant');
    const fromProfile = await profileClaims(ctx, { subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences });
    claims = { ...fromProfile, ...claims };
  }
  // The refresh token keeps the grant's claims; the validator runs again at each refresh.
  const grantClaims = claims;
  let lifetime: number | undefined;
  if (ctx.extensions.tokenRequestValidator) {
    const decided = await runTokenRequestValidator(ctx, { grantType: req.grantType, client, subjectId: req.subjectId, scopes, body: req.body ?? new Map(), accessTokenClaims: claims });
    claims = decided.accessTokenClaims;
    lifetime = decided.accessTokenLifetime;
  }
  const now = ctx.clock.now();
  const authTime = req.subjectId !== undefined ? (req.authTime ?? now) : undefined;
  const grantId = randomUUID();
  const access = await issueAccessToken(ctx, {
    client, subjectId: req.subjectId, scopes, audiences, claims, lifetime, authTime, amr: req.amr, acr: req.acr, grantId,
  });
  const body: TokenResponseBody = { access_token: access.accessToken, token_type: 'Bearer', expires_in: access.expiresIn, scope: scopes.join(' ') };
  if (withRefresh) {
    const { jti, exp } = access.claims;
    body.refresh_token = await issueRefreshToken(ctx, {
      client, subjectId: req.subjectId!, grantId,
      payload: {
        scopes, audiences, absoluteExpiresAt: absoluteRefreshExpiry(client, now), authTime, acr: req.acr, amr: req.amr, accessTokenClaims: grantClaims,
        issuedJwt: client.accessTokenType === 'jwt' && typeof jti === 'string' && typeof exp === 'number' ? { jti, exp } : undefined,
      },
    });
  }
  ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: req.subjectId, grantType: req.grantType });
  return body;
}
