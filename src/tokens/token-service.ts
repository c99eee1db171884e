/**
 * The token service: issues access, ID and refresh tokens for every grant,
 * built-in (authorization_code, refresh_token, client_credentials) and custom
 * (extension grants, `gh.tokens.issue`). The access token format is the
 * client's strategy (tokens/access-token-format.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidScope } from '../errors.js';
import { noStoreJson, type InternalResponse, type Params } from '../core/types.js';
import type { Client, User } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { IsActiveCaller } from '../extensions/profile-service.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import type { Confirmation } from '../proof/token-binding.js';
import { accessTokenFormat } from './access-token-format.js';
import { accessTokenType, issueAccessToken, type IssuedAccessToken } from './access-token.js';
import { issueIdToken } from './id-token.js';
import { absoluteRefreshExpiry, issueRefreshToken } from './refresh-token.js';
import { activeGrantSubject, profileClaims } from './user-claims.js';
import { requestedClaimTypes, type ClaimsRequest } from './claims-request.js';
import { acrFor } from './acr.js';

/** The builders every grant issues through (client_credentials: the access token alone). */
export { issueAccessToken, issueRefreshToken, absoluteRefreshExpiry, accessTokenType };

/**
 * The user a grant is for; invalid_grant when gone or no longer active. The
 * profile service decides (extensions/profile-service.ts); its default is the
 * user store's isActive. A subject the user store does not know is returned
 * with empty claims when a host's profile service calls it active.
 */
export async function activeUser(ctx: ProviderContext, subjectId: string | undefined, client: Client, caller: IsActiveCaller): Promise<User> {
  const found = await activeGrantSubject(ctx, subjectId, client, caller);
  return found.user ?? { subjectId: found.subjectId, username: '', isActive: true, claims: {} };
}

export interface UserTokenRequest {
  client: Client;
  user: User;
  /** Every granted scope (RFC 9068 §2.2.3: the scope claim lists them all, as IdentityServer does). */
  scopes: readonly string[];
  audiences: readonly string[];
  /** User claims for the access token (API scopes' and resources' userClaims). */
  accessTokenClaims: Record<string, unknown>;
  grantId: string;
  sessionId?: string;
  authTime: number;
  acr?: string;
  amr?: readonly string[];
  nonce?: string;
  /** A derived access token jti ({@link derivedJti}); default random. */
  jti?: string;
  /** Seconds; default the client's (a custom token request validator may change it). */
  accessTokenLifetime?: number;
  /** RFC 9449 §6.1: bind the access token to this DPoP key (proof/token-binding.ts `dpopConfirmation`). */
  cnf?: Confirmation;
  /** OIDC Core §5.5: the claims request the grant releases (id_token member here, userinfo member in the access token). */
  claims?: ClaimsRequest;
  /** OIDC Core §5.2 claims_locales, for the profile service. */
  claimsLocales?: string;
}

export interface UserTokens {
  access: IssuedAccessToken;
  /** Present when the scopes include openid. */
  idToken?: string;
}

/** Issues the access token and, for openid, the ID token (with at_hash). */
export async function issueUserTokens(ctx: ProviderContext, req: UserTokenRequest): Promise<UserTokens> {
  // The sign-in's acr; a grant that authenticates without a session (password) gets the configured mapping of its amr.
  const acr = req.acr ?? (req.amr?.length ? acrFor(ctx.config, req.amr) : undefined);
  const access = await issueAccessToken(ctx, {
    client: req.client,
    subjectId: req.user.subjectId,
    scopes: req.scopes,
    audiences: req.audiences,
    claims: req.accessTokenClaims,
    sessionId: req.sessionId,
    authTime: req.authTime,
    acr,
    amr: req.amr ? [...req.amr] : undefined,
    grantId: req.grantId,
    jti: req.jti,
    lifetime: req.accessTokenLifetime,
    cnf: req.cnf,
    userinfoClaims: req.scopes.includes('openid') ? req.claims?.userinfo : undefined,
    claimsLocales: req.scopes.includes('openid') ? req.claimsLocales : undefined,
  });
  if (!req.scopes.includes('openid')) return { access };
  // OIDC Core §5.4: with an access token, claims are fetched from userinfo unless the client wants them in the ID token.
  // OIDC Core §5.5: claims the claims parameter asks for in the ID token go there too.
  const scopeClaims = req.client.alwaysIncludeUserClaimsInIdToken;
  const idTokenClaims = requestedClaimTypes(req.claims?.id_token).length ? req.claims?.id_token : undefined;
  const includeUserClaims = scopeClaims || idTokenClaims !== undefined;
  const userClaims = includeUserClaims
    ? await profileClaims(ctx, {
        subjectId: req.user.subjectId,
        user: req.user,
        client: req.client,
        caller: 'id_token',
        scopes: req.scopes,
        target: 'identity',
        scopeClaims,
        claimsRequest: idTokenClaims,
        claimsLocales: req.claimsLocales,
      })
    : undefined;
  const idToken = await issueIdToken(ctx, {
    client: req.client,
    user: req.user,
    nonce: req.nonce,
    authTime: req.authTime,
    sessionId: req.sessionId,
    amr: req.amr,
    acr,
    accessToken: access.accessToken,
    scopes: req.scopes,
    includeUserClaims,
    userClaims,
  });
  return { access, idToken };
}

/** The JWT id of an issued access token, when it is a JWT (reference tokens are revoked by grant id). */
export function issuedJwt(tokens: UserTokens, client: Client): { jti: string; exp: number } | undefined {
  return accessTokenFormat(client).revocationRef(tokens.access.accessToken, tokens.access.claims).jwt;
}

/** The storage id of an issued reference access token (deleted when a retry replaces its refresh token). */
export function issuedReferenceId(tokens: UserTokens, client: Client): string | undefined {
  return accessTokenFormat(client).revocationRef(tokens.access.accessToken, tokens.access.claims).referenceId;
}

/** RFC 6749 §5.1 (and OIDC Core §3.1.3.3): the successful token response, never cached. */
export function userTokenResponse(tokens: UserTokens, scopes: readonly string[], refreshToken?: string): InternalResponse {
  const body: Record<string, unknown> = {
    access_token: tokens.access.accessToken,
    token_type: accessTokenType(tokens.access.claims),
    expires_in: tokens.access.expiresIn,
    scope: scopes.join(' '),
  };
  if (tokens.idToken) body.id_token = tokens.idToken;
  if (refreshToken) body.refresh_token = refreshToken;
  return noStoreJson(body);
}

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
  /** RFC 9449 §6.1: bind the access token (and a public client's refresh token, §5) to this DPoP key. */
  cnf?: Confirmation;
}

/** RFC 6749 §5.1: the successful token response body. */
export interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
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
  const granted = validateScopes(ctx.resources, client, {
    requested: req.scopes,
    resourceIndicators: req.resources ?? [],
    apiOnly: req.subjectId === undefined,
  });
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
    const decided = await runTokenRequestValidator(ctx, {
      grantType: req.grantType,
      client,
      subjectId: req.subjectId,
      scopes,
      body: req.body ?? new Map<string, string[]>(),
      accessTokenClaims: claims,
    });
    claims = decided.accessTokenClaims;
    lifetime = decided.accessTokenLifetime;
  }
  const now = ctx.clock.now();
  const authTime = req.subjectId !== undefined ? (req.authTime ?? now) : undefined;
  const acr = req.acr ?? (req.subjectId !== undefined && req.amr?.length ? acrFor(ctx.config, req.amr) : undefined);
  const grantId = randomUUID();
  const access = await issueAccessToken(ctx, {
    client,
    subjectId: req.subjectId,
    scopes,
    audiences,
    claims,
    lifetime,
    authTime,
    amr: req.amr,
    acr,
    grantId,
    cnf: req.cnf,
  });
  const body: TokenResponseBody = {
    access_token: access.accessToken,
    token_type: accessTokenType(access.claims),
    expires_in: access.expiresIn,
    scope: scopes.join(' '),
  };
  if (withRefresh && req.subjectId !== undefined) {
    const issued = accessTokenFormat(client).revocationRef(access.accessToken, access.claims);
    body.refresh_token = await issueRefreshToken(ctx, {
      client,
      subjectId: req.subjectId,
      grantId,
      payload: {
        scopes,
        audiences,
        absoluteExpiresAt: absoluteRefreshExpiry(client, now),
        authTime,
        acr,
        amr: req.amr,
        accessTokenClaims: grantClaims,
        issuedJwt: issued.jwt,
        issuedReferenceId: issued.referenceId,
        // RFC 9449 §5: a public client's refresh token is bound to its DPoP key.
        dpopJkt: client.isPublic ? req.cnf?.jkt : undefined,
      },
    });
  }
  ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: req.subjectId, grantType: req.grantType });
  return body;
}
