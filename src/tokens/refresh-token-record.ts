import type { ClaimsRequest } from '../model/claims-request.js';

/** The stored form of a refresh token (kind 'refresh_token', id = hash of the handle). */
export interface RefreshTokenPayload {
  scopes: string[];
  audiences: string[];
  /** Absolute expiry of the whole token family. */
  absoluteExpiresAt: number;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** OIDC Core §5.5: the claims request of the authorization, honoured by refreshed ID tokens and access tokens. */
  claims?: ClaimsRequest;
  claimsLocales?: string;
  /** Claims copied into access tokens issued from this refresh token. */
  accessTokenClaims?: Record<string, unknown>;
  /**
   * The JWT access token issued together with this refresh token (by the code
   * redemption or the rotation that created it), revoked with the token's
   * family (RFC 9700 §4.14.2, RFC 7009 §2.1), which is found by grant id.
   */
  issuedJwt?: { jti: string; exp: number };
  /** The storage id of the reference access token issued together with this refresh token. */
  issuedReferenceId?: string;
  /**
   * The storage id of the refresh token this one replaced (rotation). A retry of
   * that token within the client's refreshTokenRetryWindow finds this one by it.
   */
  predecessorId?: string;
  /** RFC 9449 §5: the DPoP key (thumbprint) a public client's refresh token is bound to; a refresh must prove it. */
  dpopJkt?: string;
  /** RFC 8705 §4: the certificate (`x5t#S256`) a public client's refresh token is bound to; a refresh must present it. */
  certificateThumbprint?: string;
}
