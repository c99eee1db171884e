/**
 * Access tokens: JWT per RFC 9068 or reference tokens (random handle, hash
 * stored, answered by introspection), per client `accessTokenType`.
 */
import { clientClaimName, RESERVED_CLAIMS } from '../config/reserved-claims.js';
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import type { Confirmation } from '../proof/token-binding.js';
import { accessTokenFormat } from './access-token-format.js';
import { newHandle } from './handles.js';
import type { ClaimsMember } from '../model/claims-request.js';
import { CLAIMS_LOCALES_CLAIM, USERINFO_CLAIMS_CLAIM } from './claims-request.js';
import { SEALED_SUBJECT_CLAIM, sealSubject, subjectFor } from './pairwise.js';

export interface AccessTokenRequest {
  client: Client;
  /** The user; absent for client credentials (then sub = client_id, RFC 9068 §2.2). */
  subjectId?: string;
  scopes: readonly string[];
  audiences: readonly string[];
  /** User claims from API resources' userClaims, and other extra claims. */
  claims?: Record<string, unknown>;
  sessionId?: string;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** Family id, so revoking the grant revokes this token (reference tokens). */
  grantId?: string;
  /**
   * The token's jti when the caller derives it (so it can be revoked later
   * without storing it, see tokens/grant-revocation.ts `derivedJti`); default 132 random bits.
   */
  jti?: string;
  /** Seconds; default the client's accessTokenLifetime (a custom token request validator may change it). */
  lifetime?: number;
  /** RFC 9449 §6.1 / RFC 8705 §3.1: the DPoP key (`cnf.jkt`) or certificate (`cnf.x5t#S256`) the token is bound to; stored with reference tokens. */
  cnf?: Confirmation;
  /** OIDC Core §5.5: the claims parameter's userinfo member, carried to the userinfo endpoint (tokens/claims-request.ts). */
  userinfoClaims?: ClaimsMember;
  /** OIDC Core §5.2 claims_locales, carried to the userinfo endpoint's profile service. */
  claimsLocales?: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  /** The claims of the token (for at_hash callers and introspection). */
  claims: Record<string, unknown>;
}

export type { ReferenceTokenPayload } from '../stores/typed/reference-tokens.js';

/** Builds the RFC 9068 claim set. */
export function accessTokenClaims(ctx: ProviderContext, req: AccessTokenRequest, now: number): Record<string, unknown> {
  const { client } = req;
  const aud = req.audiences.length === 0 ? `${ctx.issuer}/resources` : req.audiences.length === 1 ? req.audiences[0] : [...req.audiences];
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    // OIDC Core §8: a pairwise client's tokens carry its pairwise sub, as oidc-provider's do (docs/claims.md).
    sub: req.subjectId !== undefined ? subjectFor(ctx, client, req.subjectId) : client.clientId,
    aud,
    client_id: client.clientId,
    jti: req.jti ?? newHandle().slice(0, 22),
    iat: now,
    nbf: now,
    exp: now + (req.lifetime ?? client.accessTokenLifetime),
  };
  if (req.scopes.length) claims.scope = req.scopes.join(' ');
  if (req.authTime !== undefined) claims.auth_time = req.authTime;
  if (req.acr) claims.acr = req.acr;
  if (req.amr?.length) claims.amr = req.amr;
  if (req.sessionId) claims.sid = req.sessionId;
  if (req.cnf) claims.cnf = { ...req.cnf };
  if (req.userinfoClaims) claims[USERINFO_CLAIMS_CLAIM] = req.userinfoClaims;
  if (req.claimsLocales) claims[CLAIMS_LOCALES_CLAIM] = req.claimsLocales;
  // The local subject, sealed, so userinfo finds the user behind a pairwise sub (tokens/pairwise.ts).
  if (req.subjectId !== undefined && client.subjectType === 'pairwise') claims[SEALED_SUBJECT_CLAIM] = sealSubject(ctx, req.subjectId);
  if (client.claims.length && (req.subjectId === undefined || client.alwaysSendClientClaims)) {
    for (const c of client.claims) {
      const name = clientClaimName(client.clientClaimsPrefix, c.type);
      // Refused at config load; a guard here for clients from elsewhere: never override a protocol claim.
      if (!RESERVED_CLAIMS.has(name) && !(name in claims)) claims[name] = c.value;
    }
  }
  if (req.claims) for (const [k, v] of Object.entries(req.claims)) if (!(k in claims)) claims[k] = v;
  return claims;
}

/** RFC 9449 §5 / RFC 6749 §7.1: `DPoP` for a token bound to a DPoP key (`cnf.jkt`), else `Bearer`. */
export function accessTokenType(claims: Record<string, unknown>): 'DPoP' | 'Bearer' {
  const cnf = claims.cnf;
  return typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string' ? 'DPoP' : 'Bearer';
}

/** Issues an access token in the client's format (tokens/access-token-format.ts). */
export async function issueAccessToken(ctx: ProviderContext, req: AccessTokenRequest): Promise<IssuedAccessToken> {
  const now = ctx.clock.now();
  const claims = accessTokenClaims(ctx, req, now);
  const expiresIn = req.lifetime ?? req.client.accessTokenLifetime;
  const accessToken = await accessTokenFormat(req.client).encode(ctx, claims, {
    // Stored records keep the local subject (revocation by user, session-bound tokens).
    subjectId: req.subjectId ?? req.client.clientId,
    clientId: req.client.clientId,
    sessionId: req.sessionId,
    grantId: req.grantId,
    issuedAt: now,
    expiresAt: now + expiresIn,
  });
  return { accessToken, expiresIn, claims };
}
