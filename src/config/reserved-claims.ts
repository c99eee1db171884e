/**
 * Claim names that belong to the protocol: a token's own claims, set by the
 * server from the grant, never from configuration (client `claims`) or a
 * profile. Checked when the configuration loads (config/cross-checks.ts) and
 * again when an access token is built (tokens/access-token.ts); profiles and
 * user stores cannot set them either (tokens/user-claims.ts PROTECTED_CLAIMS).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  // RFC 7519 §4.1 registered claims, and the JOSE header name typ (§5.1).
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'typ',
  // RFC 9068 §2.2 (JWT access tokens) and RFC 8693 §4 (token exchange).
  'client_id',
  'scope',
  'auth_time',
  'acr',
  'amr',
  'act',
  'may_act',
  // OpenID Connect Core §2 and §3.3.2.11 (ID token), Front-/Back-Channel Logout (sid).
  'nonce',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'sub_jwk',
  // RFC 7800 / RFC 9449 proof of possession, RFC 8417 security event tokens (logout tokens).
  'cnf',
  'events',
  'toe',
  'txn',
]);

/**
 * The name a client claim gets in the access token (`clientClaimsPrefix` + type).
 *
 * @example clientClaimName('client_', 'tier') // 'client_tier'
 */
export const clientClaimName = (prefix: string, type: string): string => prefix + type;
