/**
 * What the authorization_code and refresh_token grants share: the user check,
 * issuing the access token and ID token for a user, the token response, and
 * revoking a JWT access token by its jti.
 */
import { createHash } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidGrant } from '../errors.js';
import { noStoreJson, type InternalResponse } from '../core/types.js';
import type { Client, User } from '../model/types.js';
import type { StoredRecord } from '../stores/types.js';
import type { RefreshTokenPayload } from '../tokens/refresh-token-record.js';
import { issueAccessToken, type IssuedAccessToken } from '../tokens/access-token.js';
import { issueIdToken } from '../tokens/id-token.js';
import { handleId } from '../tokens/handles.js';
import type { IsActiveCaller } from '../extensions/profile-service.js';
import { activeGrantSubject, profileClaims } from '../tokens/user-claims.js';

/** Seconds a revoked_jti record outlives the token it revokes (clock skew at resource servers). */
const REVOKED_JTI_SLACK = 60;
/** Seconds a revoked_grant marker lives: longer than any redemption still in flight. */
const REVOKED_GRANT_MARKER = 300;

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

/**
 * The jti of the access token issued when a stored record (an authorization
 * code) is redeemed: base64url SHA-256 over a label and the record's storage
 * id, cut to 22 characters (132 bits, as long as a random jti). Each record is
 * redeemed at most once (atomic consume), so the jti is unique; and a replay
 * can recompute it to revoke that token without the redemption storing it.
 * The storage id is itself a hash of the handle, so the jti reveals nothing usable.
 *
 * @example
 * const jti = derivedJti('authorization_code', codeRecord.id);
 */
export function derivedJti(label: string, recordId: string): string {
  return createHash('sha256').update(`gatehouse.jti\u0000${label}\u0000${recordId}`).digest('base64url').slice(0, 22);
}

/** Marks a JWT access token revoked so introspection (lookupToken) reports it inactive. */
export async function revokeJwtAccessToken(ctx: ProviderContext, jti: string, exp: number, clientId?: string): Promise<void> {
  const now = ctx.clock.now();
  if (exp + REVOKED_JTI_SLACK <= now) return;
  await ctx.stores.revocations.revokeJti(jti, clientId, now, exp + REVOKED_JTI_SLACK);
}

/**
 * Marks a grant family revoked before its records are deleted. A redemption
 * that raced the revocation (it consumed the code or refresh token first, and
 * stores its new tokens after the deletion) checks the marker when done and
 * revokes what it issued: {@link grantRevokedMeanwhile}.
 */
export async function markGrantRevoked(ctx: ProviderContext, grantId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.stores.revocations.revokeGrant(grantId, now, now + REVOKED_GRANT_MARKER);
}

/**
 * Revokes the JWT access tokens issued from what a user's grants with a
 * client have stored, or from one grant (family) of them: the one issued with
 * each refresh token (the code redemption's with the first), and the one of
 * each redeemed code record still stored (grants without refresh tokens).
 * Returns the refresh tokens found, for the caller to delete their families.
 *
 * @example
 * const tokens = await revokeIssuedJwts(ctx, rec.subjectId, rec.clientId, rec.grantId);
 */
export async function revokeIssuedJwts(ctx: ProviderContext, subjectId: string, clientId: string, grantId?: string): Promise<StoredRecord<RefreshTokenPayload>[]> {
  const filter = { subjectId, clientId, grantId };
  const tokens = await ctx.stores.refreshTokens.findMany(filter);
  const seen = new Set<string>();
  const revoke = async (jwt: { jti: string; exp: number } | undefined) => {
    if (!jwt || seen.has(jwt.jti)) return;
    seen.add(jwt.jti);
    await revokeJwtAccessToken(ctx, jwt.jti, jwt.exp, clientId);
  };
  for (const rec of tokens) await revoke(rec.payload.issuedJwt);
  const client = ctx.clients.find(clientId);
  if (client?.accessTokenType === 'jwt') {
    for (const code of await ctx.stores.codes.findMany(filter)) {
      // The redemption's access token lives at most one lifetime past the redemption.
      if (code.consumedAt !== undefined) await revoke({ jti: derivedJti('authorization_code', code.id), exp: code.consumedAt + client.accessTokenLifetime });
    }
  }
  return tokens;
}

/**
 * Called by a redemption after it stored everything: when the family was
 * revoked meanwhile, revokes what this redemption issued and answers invalid_grant.
 */
export async function grantRevokedMeanwhile(ctx: ProviderContext, grantId: string, jwt: { jti: string; exp: number } | undefined, clientId: string): Promise<void> {
  if (!(await ctx.stores.revocations.isGrantRevoked(grantId, ctx.clock.now()))) return;
  if (jwt) await revokeJwtAccessToken(ctx, jwt.jti, jwt.exp, clientId);
  await ctx.stores.grants.deleteFamily(grantId);
  throw new InvalidGrant('the grant was revoked because a token of it was used twice');
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
}

export interface UserTokens {
  access: IssuedAccessToken;
  /** Present when the scopes include openid. */
  idToken?: string;
}

/** Issues the access token and, for openid, the ID token (with at_hash). */
export async function issueUserTokens(ctx: ProviderContext, req: UserTokenRequest): Promise<UserTokens> {
  const access = await issueAccessToken(ctx, {
    client: req.client,
    subjectId: req.user.subjectId,
    scopes: req.scopes,
    audiences: req.audiences,
    claims: req.accessTokenClaims,
    sessionId: req.sessionId,
    authTime: req.authTime,
    acr: req.acr,
    amr: req.amr ? [...req.amr] : undefined,
    grantId: req.grantId,
    jti: req.jti,
    lifetime: req.accessTokenLifetime,
  });
  if (!req.scopes.includes('openid')) return { access };
  // OIDC Core §5.4: with an access token, claims are fetched from userinfo unless the client wants them in the ID token.
  const includeUserClaims = req.client.alwaysIncludeUserClaimsInIdToken;
  const userClaims = includeUserClaims
    ? await profileClaims(ctx, { subjectId: req.user.subjectId, user: req.user, client: req.client, caller: 'id_token', scopes: req.scopes, target: 'identity' })
    : undefined;
  const idToken = await issueIdToken(ctx, {
    client: req.client,
    user: req.user,
    nonce: req.nonce,
    authTime: req.authTime,
    sessionId: req.sessionId,
    amr: req.amr,
    acr: req.acr,
    accessToken: access.accessToken,
    scopes: req.scopes,
    includeUserClaims,
    userClaims,
  });
  return { access, idToken };
}

/** The JWT id of an issued access token, when it is a JWT (reference tokens are revoked by grant id). */
export function issuedJwt(tokens: UserTokens, client: Client): { jti: string; exp: number } | undefined {
  const { jti, exp } = tokens.access.claims;
  if (client.accessTokenType !== 'jwt' || typeof jti !== 'string' || typeof exp !== 'number') return undefined;
  return { jti, exp };
}

/** The storage id of an issued reference access token (deleted when a retry replaces its refresh token). */
export function issuedReferenceId(tokens: UserTokens, client: Client): string | undefined {
  return client.accessTokenType === 'reference' ? handleId(tokens.access.accessToken) : undefined;
}

/** RFC 6749 §5.1 (and OIDC Core §3.1.3.3): the successful token response, never cached. */
export function userTokenResponse(tokens: UserTokens, scopes: readonly string[], refreshToken?: string): InternalResponse {
  const body: Record<string, unknown> = {
    access_token: tokens.access.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.access.expiresIn,
    scope: scopes.join(' '),
  };
  if (tokens.idToken) body.id_token = tokens.idToken;
  if (refreshToken) body.refresh_token = refreshToken;
  return noStoreJson(body);
}
