/**
 * Pending interactions: the validated authorization request stored under an
 * id that travels in the URL, bound to the browser by a cookie per
 * interaction, so several logins in several tabs run at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import type { SetCookie } from '../core/types.js';
import type { RecordWrite, StoredRecord } from '../stores/types.js';
import { handleId, newHandle } from '../tokens/handles.js';
import type { AuthorizationRequest } from '../model/authorization-request.js';

export type InteractionKind = 'login' | 'consent';

/** Where the browser goes for a login or consent page. */
export type InteractionUrl = (kind: InteractionKind, id: string) => string;

export interface LoginResult {
  subjectId: string;
  /** Authentication methods references (RFC 8176), default ['pwd']. */
  amr?: string[];
  acr?: string;
  /** Persistent session cookie ("remember me"). */
  remember?: boolean;
}

export interface ConsentResult {
  /** Granted scopes; required scopes are added, unknown ones dropped. */
  scopes: string[];
  remember?: boolean;
}

/** A login recorded on the interaction. */
export interface RecordedLogin extends LoginResult {
  authTime: number;
  /** Set once the flow turned this login into a session. */
  sessionStarted: boolean;
}

/**
 * Where an interaction stands: awaiting the user (on the page `kind` names),
 * logged in, consented (after a login in this interaction or on an SSO
 * session) or denied. The flow decides from this alone.
 */
export type InteractionState =
  | { step: 'awaiting' }
  | { step: 'logged_in'; login: RecordedLogin }
  | { step: 'consented'; login?: RecordedLogin; consent: ConsentResult }
  | { step: 'denied'; login?: RecordedLogin };

export interface InteractionPayload {
  request: AuthorizationRequest;
  kind: InteractionKind;
  bindingHash: string;
  csrf: string;
  state: InteractionState;
  /** A first factor passed on this interaction; the second-factor page finishes the sign-in (src/mfa/, ui/routes/mfa-login.ts). */
  mfaPending?: PendingSecondFactor;
}

/** Who passed the first factor (or holds a session that needs a step-up), awaiting a second factor. */
export interface PendingSecondFactor {
  subjectId: string;
  /** The login name lockout counts second-factor failures under. */
  username: string;
  /** Methods already used (RFC 8176), e.g. ['pwd']. */
  amr: string[];
  remember: boolean;
}

/** The login an interaction carries, whatever its step. */
export const loginOf = (state: InteractionState): RecordedLogin | undefined => ('login' in state ? state.login : undefined);

/** The payload as an earlier version stored it (flat optional fields): read during a rolling upgrade. */
interface LegacyPayload {
  login?: LoginResult & { authTime: number };
  loginDone?: boolean;
  consent?: ConsentResult;
  denied?: boolean;
}

function stateOf(payload: InteractionPayload): InteractionState {
  if (payload.state) return payload.state;
  const old = payload as unknown as LegacyPayload;
  const login = old.login && { ...old.login, sessionStarted: old.loginDone ?? false };
  if (old.denied) return { step: 'denied', login };
  if (old.consent) return { step: 'consented', login, consent: old.consent };
  return login ? { step: 'logged_in', login } : { step: 'awaiting' };
}

export interface Interaction {
  id: string;
  payload: InteractionPayload;
  record: StoredRecord<InteractionPayload>;
}

const ID_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const sha = (s: string) => createHash('sha256').update(s).digest();

export const bindingCookieName = (id: string) => `gh.i.${id.slice(0, 16)}`;

/** Bytes of what an interaction stores besides the request (kind, binding hash, CSRF token, state, JSON framing). */
export const INTERACTION_OVERHEAD = 190;

/** The stored size of an interaction holding `request`, in bytes of JSON (without a login result). */
export const storedRequestSize = (request: AuthorizationRequest) => Buffer.byteLength(JSON.stringify(request)) + INTERACTION_OVERHEAD;

/**
 * A new interaction, the cookie that binds it to this browser and the write
 * that stores it (the caller stores it with the rest of its decision).
 * Created by unauthenticated requests, so it is small and short-lived: at
 * most `authentication.maxInteractionSize` bytes (a larger one is refused,
 * nothing stored) and `pendingInteractionLifetime` seconds until someone
 * signs in (issue 12 §2.3); `interactionLifetime` once signed in.
 */
export function newInteraction(
  ctx: ProviderContext,
  request: AuthorizationRequest,
  kind: InteractionKind,
  signedIn = kind !== 'login',
): { interaction: Interaction; cookie: SetCookie; write: RecordWrite } {
  const auth = ctx.config.authentication;
  if (storedRequestSize(request) > auth.maxInteractionSize) throw new InvalidRequest('the authorization request is too large');
  const id = newHandle();
  const binding = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const lifetime = signedIn ? auth.interactionLifetime : Math.min(auth.pendingInteractionLifetime, auth.interactionLifetime);
  const payload: InteractionPayload = {
    request,
    kind,
    bindingHash: sha(binding).toString('base64url'),
    csrf: randomBytes(24).toString('base64url'),
    state: { step: 'awaiting' },
  };
  const record: StoredRecord<InteractionPayload> = {
    kind: 'interaction',
    id: handleId(id),
    clientId: request.clientId,
    createdAt: now,
    expiresAt: now + lifetime,
    payload,
  };
  // The cookie outlives a pending interaction: it also binds the interaction after sign-in.
  return {
    interaction: { id, payload, record },
    cookie: { name: bindingCookieName(id), value: binding, maxAge: auth.interactionLifetime },
    write: { put: record },
  };
}

/**
 * Someone signed in on this interaction: from now on it lives
 * `interactionLifetime` (consent and further pages), not the short pending lifetime.
 */
export function extendAfterLogin(ctx: ProviderContext, interaction: Interaction): void {
  const until = ctx.clock.now() + ctx.config.authentication.interactionLifetime;
  if (interaction.record.expiresAt < until) interaction.record = { ...interaction.record, expiresAt: until };
}

/** The interaction, when the id is live and this browser holds its binding cookie. */
export async function loadInteraction(
  ctx: ProviderContext,
  id: string | undefined,
  cookies: Readonly<Record<string, string>>,
): Promise<Interaction | undefined> {
  if (!id || !ID_SHAPE.test(id)) return undefined;
  const record = await ctx.backend.records.find<InteractionPayload>('interaction', handleId(id));
  if (!record || record.expiresAt <= ctx.clock.now()) return undefined;
  const binding = cookies[bindingCookieName(id)];
  if (!binding) return undefined;
  const expected = Buffer.from(record.payload.bindingHash, 'base64url');
  const actual = sha(binding);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  record.payload.state = stateOf(record.payload);
  return { id, payload: record.payload, record };
}

export async function saveInteraction(ctx: ProviderContext, interaction: Interaction): Promise<void> {
  await ctx.backend.records.put(interactionWrite(interaction).put);
}

/** The write that ends the interaction, and the cookie that removes its binding. */
export function finishInteraction(interaction: Interaction): { write: RecordWrite; cookie: SetCookie } {
  return { write: { delete: { kind: 'interaction', id: interaction.record.id } }, cookie: { name: bindingCookieName(interaction.id), value: '', maxAge: 0 } };
}

/** The write that stores the interaction's current payload. */
export const interactionWrite = (interaction: Interaction): { put: StoredRecord } => ({ put: { ...interaction.record, payload: interaction.payload } });

/** Constant-time CSRF token check. */
export function csrfMatches(interaction: Interaction, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = sha(presented);
  const b = sha(interaction.payload.csrf);
  return timingSafeEqual(a, b);
}
