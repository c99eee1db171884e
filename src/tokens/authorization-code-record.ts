import type { ClaimsRequest } from '../model/claims-request.js';

/** The stored form of an authorization code (kind 'authorization_code', id = hash of the code). */
export interface AuthorizationCodePayload {
  redirectUri: string;
  /** Scopes granted (after consent), including openid/offline_access when granted. */
  scopes: string[];
  /** RFC 8707 resource indicators sent to the authorization endpoint. */
  resourceIndicators: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  authTime: number;
  acr?: string;
  amr: string[];
  /** OIDC Core §5.5: the claims request this grant releases (tokens/claims-request.ts releasableClaims). */
  claims?: ClaimsRequest;
  /** OIDC Core §5.2: the End-User's preferred languages for claims, for the profile service. */
  claimsLocales?: string;
  /** The JWT access token id issued when the code was redeemed (revoked if the code is replayed). */
  issuedJti?: string;
  /** RFC 9449 §10: `dpop_jkt` of the authorization request; the token request must prove this key. */
  dpopJkt?: string;
}
// StoredRecord fields used: subjectId (user), sessionId (sid), clientId, grantId (family), expiresAt.
