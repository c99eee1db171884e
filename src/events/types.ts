/**
 * Typed events (as IdentityServer's event service): what happened, to which
 * client and subject, never a secret, password, code or token. Emitted with
 * `ctx.events({ type, ... })`; the bus stamps `time` and `outcome`.
 */

/** Fields every event may carry. */
export interface EventBase {
  type: string;
  clientId?: string;
  subjectId?: string;
  sessionId?: string;
  requestId?: string;
  /** Free-form extra data; never credentials. */
  detail?: Record<string, unknown>;
  /** Stamped by the bus: epoch seconds from the provider clock. */
  time?: number;
  /** Stamped by the bus from the type (IdentityServer's EventTypes). */
  outcome?: EventOutcome;
}

export type EventOutcome = 'success' | 'failure' | 'information' | 'error';

export interface TokenIssuedEvent extends EventBase {
  type: 'token_issued';
  clientId: string;
  grantType: string;
  scopes?: string[];
}
export interface TokenFailedEvent extends EventBase {
  type: 'token_failed';
  grantType?: string;
  error: string;
  description?: string;
}
export interface UserLoginSuccessEvent extends EventBase {
  type: 'user_login_success';
  subjectId: string;
  username: string;
}
export interface UserLoginFailureEvent extends EventBase {
  type: 'user_login_failure';
  username: string;
  reason: string;
}
export interface UserLogoutEvent extends EventBase {
  type: 'user_logout';
  subjectId: string;
}
export interface ConsentGrantedEvent extends EventBase {
  type: 'consent_granted';
  subjectId: string;
  clientId: string;
  scopes: string[];
  remembered: boolean;
}
export interface ConsentDeniedEvent extends EventBase {
  type: 'consent_denied';
  clientId: string;
}
export interface ConsentRevokedEvent extends EventBase {
  type: 'consent_revoked';
  subjectId: string;
}
export interface GrantRevokedEvent extends EventBase {
  type: 'grant_revoked';
  reason?: string;
  grantId?: string;
}
export interface TokenRevokedEvent extends EventBase {
  type: 'token_revoked';
  clientId: string;
}
export interface ClientAuthSuccessEvent extends EventBase {
  type: 'client_authentication_success';
  clientId: string;
}
export interface ClientAuthFailureEvent extends EventBase {
  type: 'client_authentication_failure';
  endpoint: string;
  reason: string;
}
export interface KeyRotatedEvent extends EventBase {
  type: 'key_rotated';
  kids: string[];
  reason: string;
}
export interface InvalidRedirectEvent extends EventBase {
  type: 'invalid_redirect';
  clientId: string;
  redirectUri: string;
}
export interface UnhandledErrorEvent extends EventBase {
  type: 'unhandled_error';
  path?: string;
  message: string;
}
export interface AuthorizationCodeIssuedEvent extends EventBase {
  type: 'authorization_code_issued';
  clientId: string;
  subjectId: string;
}
export interface AuthorizationCodeReplayedEvent extends EventBase {
  type: 'authorization_code_replayed';
}
export interface RefreshTokenReusedEvent extends EventBase {
  type: 'refresh_token_reused';
}
export interface RateLimitedEvent extends EventBase {
  type: 'rate_limited';
  scope: string;
  endpoint: string;
}

/** Every built-in event, discriminated by `type`. */
export type KnownEvent =
  | TokenIssuedEvent
  | TokenFailedEvent
  | UserLoginSuccessEvent
  | UserLoginFailureEvent
  | UserLogoutEvent
  | ConsentGrantedEvent
  | ConsentDeniedEvent
  | ConsentRevokedEvent
  | GrantRevokedEvent
  | TokenRevokedEvent
  | ClientAuthSuccessEvent
  | ClientAuthFailureEvent
  | KeyRotatedEvent
  | InvalidRedirectEvent
  | UnhandledErrorEvent
  | AuthorizationCodeIssuedEvent
  | AuthorizationCodeReplayedEvent
  | RefreshTokenReusedEvent
  | RateLimitedEvent;

export type KnownEventType = KnownEvent['type'];

/** An event of a type this version does not define (extensions, newer emitters). */
export interface OtherEvent extends EventBase {
  type: string;
}

/** What subscribers receive: a built-in event or an extension's. Narrow with {@link isEvent} or `events.on(type, fn)`. */
export type GatehouseEvent = KnownEvent | OtherEvent;

/** The event of one built-in type. */
export type EventOf<T extends KnownEventType> = Extract<KnownEvent, { type: T }>;

/**
 * The emit function (`ctx.events`): a built-in type must carry its fields;
 * any other type is accepted with the common fields.
 */
export type EmitEvent = <T extends string>(event: { type: T } & (T extends KnownEventType ? EventOf<T> : OtherEvent)) => void;

/**
 * A consumer of events (IdentityServer's IEventSink). Errors it throws or
 * rejects with are logged and never reach the request.
 *
 * @example
 * const sink: EventSink = (e) => { if (e.outcome === 'failure') audit.write(e) };
 * await createGatehouse(config, { events: sink });
 */
export type EventSink = (event: GatehouseEvent) => unknown;

/** Narrows an event to a built-in type. */
export function isEvent<T extends KnownEventType>(event: GatehouseEvent, type: T): event is EventOf<T> {
  return event.type === type;
}

const FAILURES = new Set([
  'token_failed',
  'user_login_failure',
  'client_authentication_failure',
  'invalid_redirect',
  'authorization_code_replayed',
  'refresh_token_reused',
  'rate_limited',
  'consent_denied',
  'backchannel_authentication_failed',
  'ciba_ping_failed',
]);
const SUCCESSES = new Set([
  'token_issued',
  'user_login_success',
  'user_logout',
  'consent_granted',
  'client_authentication_success',
  'authorization_code_issued',
  'token_revoked',
]);

/** The outcome of an event type (unknown types are information). */
export function outcomeOf(type: string): EventOutcome {
  if (type === 'unhandled_error') return 'error';
  if (FAILURES.has(type)) return 'failure';
  if (SUCCESSES.has(type)) return 'success';
  return 'information';
}
