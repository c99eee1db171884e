/** The stored form of a refresh token (kind 'refresh_token', id = hash of the handle). */
export interface RefreshTokenPayload {
  scopes: string[];
  audiences: string[];
  /** Absolute expiry of the whole token family. */
  absoluteExpiresAt: number;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** Claims copied into access tokens issued from this refresh token. */
  accessTokenClaims?: Record<string, unknown>;
  /** oneTimeOnly: the storage id of the token that replaced this one (walked to revoke a reused family). */
  successorId?: string;
  /** The JWT access token issued when this token was redeemed (revoked when the family is, RFC 9700 §4.14.2). */
  issuedJwt?: { jti: string; exp: number };
  /**
   * The JWT access token of the code redemption that began the family, carried
   * along rotations so it can be revoked with the family after the code record is gone.
   */
  redemptionJwt?: { jti: string; exp: number };
}
