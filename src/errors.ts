/**
 * The OAuth error hierarchy. One class per registered error code, so a
 * `switch (err.error)` over {@link OAuthErrorCode} is exhaustive.
 *
 * Each error carries a public `description` (sent as `error_description`), a
 * private `detail` (logged, never sent), the HTTP status for the JSON channel
 * and whether the authorization endpoint may redirect it to the client.
 *
 * @example
 * throw new InvalidRequest('missing required parameter: grant_type');
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'account_selection_required'
  | 'invalid_request_uri'
  | 'invalid_request_object'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'invalid_client_metadata'
  // OpenID Connect CIBA Core 1.0 §11 (token endpoint) and §13 (backchannel authentication endpoint);
  // the first three are RFC 8628 §3.5's (device authorization grant polling).
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'unknown_user_id'
  | 'expired_login_hint_token'
  | 'missing_user_code'
  | 'invalid_user_code'
  | 'invalid_binding_message'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_redirect_uri'
  | 'invalid_software_statement'
  | 'unapproved_software_statement';

export abstract class OAuthError extends Error {
  abstract readonly error: OAuthErrorCode;
  /** HTTP status on the JSON (token-style) channel. */
  readonly status: number = 400;
  /** May the authorization endpoint send this error to a verified redirect URI? */
  readonly redirectable: boolean = true;
  /** Private detail: logged with the request id, never sent. */
  detail?: string;
  /** Extra response headers (for example `WWW-Authenticate`, `Allow`). */
  headers?: Record<string, string>;

  constructor(
    readonly description: string,
    detail?: string,
  ) {
    super(description);
    this.detail = detail;
  }

  override get name(): string {
    return `OAuthError(${this.error})`;
  }

  /** The public JSON body of this error. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  readonly error = 'invalid_request' as const;
}
/** Client authentication failed: 401 with `WWW-Authenticate` (RFC 6749 §5.2). */
export class InvalidClient extends OAuthError {
  readonly error = 'invalid_client' as const;
  override readonly status = 401;
  override readonly redirectable = false;
}
export class InvalidGrant extends OAuthError {
  readonly error = 'invalid_grant' as const;
}
export class UnauthorizedClient extends OAuthError {
  readonly error = 'unauthorized_client' as const;
}
export class UnsupportedGrantType extends OAuthError {
  readonly error = 'unsupported_grant_type' as const;
}
export class InvalidScope extends OAuthError {
  readonly error = 'invalid_scope' as const;
}
/** RFC 8707 §2: the requested resource is invalid, unknown or malformed. */
export class InvalidTarget extends OAuthError {
  readonly error = 'invalid_target' as const;
}
export class AccessDenied extends OAuthError {
  readonly error = 'access_denied' as const;
  override readonly status = 403;
}
export class UnsupportedResponseType extends OAuthError {
  readonly error = 'unsupported_response_type' as const;
}
export class ServerError extends OAuthError {
  readonly error = 'server_error' as const;
  override readonly status = 500;
}
export class TemporarilyUnavailable extends OAuthError {
  readonly error = 'temporarily_unavailable' as const;
  override readonly status = 503;
}
/** RFC 6750 §3.1 */
export class InvalidToken extends OAuthError {
  readonly error = 'invalid_token' as const;
  override readonly status = 401;
  override readonly redirectable = false;
}
/** RFC 6750 §3.1 */
export class InsufficientScope extends OAuthError {
  readonly error = 'insufficient_scope' as const;
  override readonly status = 403;
  override readonly redirectable = false;
}
/** RFC 7009 §2.2.1 */
export class UnsupportedTokenType extends OAuthError {
  readonly error = 'unsupported_token_type' as const;
}
export class LoginRequired extends OAuthError {
  readonly error = 'login_required' as const;
}
export class ConsentRequired extends OAuthError {
  readonly error = 'consent_required' as const;
}
export class InteractionRequired extends OAuthError {
  readonly error = 'interaction_required' as const;
}
export class AccountSelectionRequired extends OAuthError {
  readonly error = 'account_selection_required' as const;
}
export class InvalidRequestUri extends OAuthError {
  readonly error = 'invalid_request_uri' as const;
}
export class InvalidRequestObject extends OAuthError {
  readonly error = 'invalid_request_object' as const;
}
export class RequestNotSupported extends OAuthError {
  readonly error = 'request_not_supported' as const;
}
export class RequestUriNotSupported extends OAuthError {
  readonly error = 'request_uri_not_supported' as const;
}
export class RegistrationNotSupported extends OAuthError {
  readonly error = 'registration_not_supported' as const;
}
/**
 * RFC 7591 §3.2.2: a client's registered metadata cannot be used, e.g. it asks
 * for encrypted responses and its JWK Set has no key for the algorithm.
 */
export class InvalidClientMetadata extends OAuthError {
  readonly error = 'invalid_client_metadata' as const;
  override readonly redirectable = false;
}
/** RFC 7591 §3.2.2: a redirect URI of a registration is invalid or outside the server's policy. */
export class InvalidRedirectUri extends OAuthError {
  readonly error = 'invalid_redirect_uri' as const;
  override readonly redirectable = false;
}
/** RFC 7591 §3.2.2: the software statement is invalid (not a signed JWT, bad signature, malformed). */
export class InvalidSoftwareStatement extends OAuthError {
  readonly error = 'invalid_software_statement' as const;
  override readonly redirectable = false;
}
/** RFC 7591 §3.2.2: the software statement's issuer is not trusted here. */
export class UnapprovedSoftwareStatement extends OAuthError {
  readonly error = 'unapproved_software_statement' as const;
  override readonly redirectable = false;
}

/** CIBA §11, RFC 8628 §3.5: the user has not yet approved or denied the request; poll again after the interval. */
export class AuthorizationPending extends OAuthError {
  readonly error = 'authorization_pending' as const;
}
/** CIBA §11, RFC 8628 §3.5: polled faster than the interval; the interval grows by 5 seconds. */
export class SlowDown extends OAuthError {
  readonly error = 'slow_down' as const;
}
/** CIBA §11: the auth_req_id has expired; RFC 8628 §3.5: the device code has expired. */
export class ExpiredToken extends OAuthError {
  readonly error = 'expired_token' as const;
}
/** CIBA §13: the hint does not name a user the OP knows. */
export class UnknownUserId extends OAuthError {
  readonly error = 'unknown_user_id' as const;
}
/** CIBA §13: the login_hint_token has expired. */
export class ExpiredLoginHintToken extends OAuthError {
  readonly error = 'expired_login_hint_token' as const;
}
/** CIBA §13: the client and OP use user codes, and none was sent. */
export class MissingUserCode extends OAuthError {
  readonly error = 'missing_user_code' as const;
}
/** CIBA §13: the user code is wrong. */
export class InvalidUserCode extends OAuthError {
  readonly error = 'invalid_user_code' as const;
}
/** CIBA §13: the binding message is invalid or unacceptable. */
export class InvalidBindingMessage extends OAuthError {
  readonly error = 'invalid_binding_message' as const;
}
/**
 * RFC 9449 §5 and §7.1: the DPoP proof is missing or invalid. 400 at the
 * token endpoint; 401 with a `DPoP` challenge at a protected resource.
 */
export class InvalidDpopProof extends OAuthError {
  readonly error = 'invalid_dpop_proof' as const;
  override readonly redirectable = false;
  constructor(
    description: string,
    override readonly status: number = 400,
  ) {
    super(description);
  }
}
/** RFC 9449 §8 and §9: a (fresh) server nonce is required; the answer carries `DPoP-Nonce`. */
export class UseDpopNonce extends OAuthError {
  readonly error = 'use_dpop_nonce' as const;
  override readonly redirectable = false;
  constructor(
    description: string,
    override readonly status: number = 400,
  ) {
    super(description);
  }
}

/**
 * The store could not be reached (connection refused, lost, timed out);
 * retrying later may succeed. Raised by the backends (stores/store-faults.ts),
 * declared here so this module depends on nothing above it.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Turns anything thrown into an OAuthError; unknown exceptions become server_error without internals. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof StoreUnavailableError) {
    // The database or Redis is away: a retryable 503, not a 500 (RFC 6749 §4.1.2.1, §5.2 usage).
    const e = new TemporarilyUnavailable('the service is temporarily unavailable; try again shortly', err.message);
    e.headers = { 'retry-after': '2' };
    return e;
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new ServerError('the server encountered an unexpected condition', detail);
}
