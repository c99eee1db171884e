/** The OpenID Connect ID token (OIDC Core §2, §3.1.3.6, §12.2). */
import { createHash } from 'node:crypto';
import type { SigningAlgorithm } from '../config/schema.js';
import type { ProviderContext } from '../context.js';
import type { Client, User } from '../model/types.js';
import { finishIdToken, idTokenSigningKey } from './id-token-finish.js';
import { claimsForScopes } from './user-claims.js';
import { subjectFor } from './pairwise.js';

export interface IdTokenRequest {
  client: Client;
  user: User;
  /** OIDC Core §3.1.2.1: echoed unchanged; never on refresh (§12.2). */
  nonce?: string;
  /** Time of the original authentication (§12.2: kept on refresh). */
  authTime: number;
  sessionId?: string;
  amr?: readonly string[];
  acr?: string;
  /** The access token issued with this ID token: adds at_hash (§3.1.3.6, §3.3.2.11). */
  accessToken?: string;
  /** The code issued with this ID token (hybrid flow): adds c_hash (§3.3.2.11). */
  code?: string;
  /**
   * The authorization request's state, for an ID token returned from the
   * authorization endpoint: adds s_hash (FAPI 1.0 Advanced §5.1, §5.2.2.1
   * item 5; not a Core claim: it protects state the way c_hash protects code).
   */
  state?: string;
  /** Granted scopes; the identity scopes among them select the user claims. */
  scopes: readonly string[];
  /** Put the identity scopes' user claims in the token (no access token, or alwaysIncludeUserClaimsInIdToken). */
  includeUserClaims: boolean;
  /** The user claims to include, when the caller got them from the profile service (default: from `user.claims` by scopes). */
  userClaims?: Record<string, unknown>;
}

/** The hash of the JWS alg (OIDC Core §3.1.3.6); EdDSA with Ed25519 uses SHA-512, as oauth4webapi and node-oidc-provider do. */
const HASH_OF: Record<SigningAlgorithm, string> = { RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', EdDSA: 'sha512' };

/**
 * at_hash / c_hash / s_hash: base64url of the left-most half of the hash of the ASCII
 * value, the hash being the one of the ID token's alg (OIDC Core §3.1.3.6).
 *
 * @example tokenHash('RS256', accessToken) // 22 characters
 */
export function tokenHash(alg: SigningAlgorithm, value: string): string {
  const digest = createHash(HASH_OF[alg]).update(value, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Signs an ID token for a user with the client's signing key, encrypted when
 * the client asks for it (tokens/id-token-finish.ts).
 *
 * @example
 * const idToken = await issueIdToken(ctx, {
 *   client, user, nonce, authTime, sessionId: sid, amr: ['pwd'],
 *   accessToken, scopes: ['openid', 'profile'], includeUserClaims: false,
 * });
 */
export async function issueIdToken(ctx: ProviderContext, req: IdTokenRequest): Promise<string> {
  const key = idTokenSigningKey(ctx, req.client);
  const now = ctx.clock.now();
  const claims: Record<string, unknown> = {};
  if (req.includeUserClaims) Object.assign(claims, req.userClaims ?? claimsForScopes(ctx.resources, req.user.claims, req.scopes, 'identity'));
  // OIDC Core §2: the protocol claims, set after the user claims so none can be overridden.
  Object.assign(claims, {
    iss: ctx.issuer,
    // OIDC Core §8: the client's view of the subject (pairwise for a pairwise client).
    sub: subjectFor(ctx, req.client, req.user.subjectId),
    aud: req.client.clientId,
    exp: now + req.client.identityTokenLifetime,
    iat: now,
    auth_time: req.authTime,
  });
  if (req.nonce !== undefined) claims.nonce = req.nonce;
  if (req.acr) claims.acr = req.acr;
  if (req.amr?.length) claims.amr = [...req.amr];
  // OpenID Front-/Back-Channel Logout: sid identifies the session at the OP.
  if (req.sessionId) claims.sid = req.sessionId;
  if (req.accessToken !== undefined) claims.at_hash = tokenHash(key.alg, req.accessToken);
  if (req.code !== undefined) claims.c_hash = tokenHash(key.alg, req.code);
  if (req.state !== undefined) claims.s_hash = tokenHash(key.alg, req.state);
  return finishIdToken(ctx, req.client, claims, key);
}
