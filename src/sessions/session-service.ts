/**
 * SSO sessions: a cookie holding a random handle, bound to a server-side
 * record (id = hash of the handle) carrying sid, auth_time, amr and acr.
 * A tampered, unknown or expired cookie is simply no session.
 */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, SetCookie } from '../core/types.js';
import type { RecordWrite, StoredRecord } from '../stores/types.js';
import { handleId, newHandle } from '../tokens/handles.js';
import type { SessionPayload } from './session-record.js';

export const SESSION_COOKIE = 'gh.session';

export interface Session {
  subjectId: string;
  payload: SessionPayload;
  record: StoredRecord<SessionPayload>;
  /** Storage id of the browser's previous session record, deleted once this one is stored (no fixation). */
  replaces?: string;
}

const HANDLE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The session of this browser, if its cookie names a live record. */
export async function currentSession(ctx: ProviderContext, req: Pick<InternalRequest, 'cookies'>): Promise<Session | undefined> {
  const handle = req.cookies[SESSION_COOKIE];
  if (!handle || !HANDLE_SHAPE.test(handle)) return undefined;
  const rec = await ctx.stores.sessions.find(handleId(handle));
  if (!rec || !rec.subjectId || !isLive(rec, ctx.clock.now())) return undefined;
  return { subjectId: rec.subjectId, payload: rec.payload, record: rec };
}

/** Inactivity timeout and absolute lifetime both still ahead. */
export function isLive(rec: StoredRecord<SessionPayload>, now: number): boolean {
  const abs = rec.payload.absoluteExpiresAt;
  return rec.expiresAt > now && (abs === undefined || abs > now);
}

export interface NewSession {
  subjectId: string;
  authTime: number;
  amr: string[];
  acr?: string;
  remember: boolean;
  /**
   * The browser's live session before this sign-in. When it is the same
   * user's, the new session keeps its sid and client list (as IdentityServer
   * keeps the sid on re-authentication), so the clients' ID tokens, logout
   * notifications and session-bound refresh tokens stay valid.
   */
  previous?: Session;
}

/** Seconds a session lasts from its last use: the remember-me or the cookie lifetime. */
function sessionLifetime(ctx: ProviderContext, remember: boolean): number {
  const auth = ctx.config.authentication;
  return remember ? auth.rememberMeLifetime : auth.cookieLifetime;
}

/**
 * Starts a session but does not store it yet: the caller stores it with
 * {@link saveSession} once it knows what else goes into it (the client that
 * receives a code), so a sign-in costs one session write. A previous session
 * of this browser is ended now (no fixation).
 */
export async function beginSession(
  ctx: ProviderContext,
  req: Pick<InternalRequest, 'cookies'>,
  s: NewSession,
): Promise<{ cookie: SetCookie; session: Session }> {
  const old = req.cookies[SESSION_COOKIE];
  const now = ctx.clock.now();
  const lifetime = sessionLifetime(ctx, s.remember);
  const handle = newHandle();
  const absolute = ctx.config.authentication.absoluteSessionLifetime;
  const same = s.previous?.subjectId === s.subjectId ? s.previous : undefined;
  const sid = same?.payload.sid ?? newHandle().slice(0, 22);
  const payload: SessionPayload = { sid, authTime: s.authTime, amr: s.amr, acr: s.acr, clients: same ? [...same.payload.clients] : [], remember: s.remember };
  if (absolute > 0) payload.absoluteExpiresAt = now + absolute;
  if (ctx.config.authentication.checkSession) payload.browserState = newHandle().slice(0, 22);
  const record: StoredRecord<SessionPayload> = {
    kind: 'session',
    id: handleId(handle),
    subjectId: s.subjectId,
    sessionId: payload.sid,
    createdAt: now,
    expiresAt: Math.min(now + lifetime, payload.absoluteExpiresAt ?? Infinity),
    payload,
  };
  const cookie: SetCookie = { name: SESSION_COOKIE, value: handle, maxAge: s.remember ? lifetime : undefined };
  // The previous record goes when this one is stored (saveSession): should the request fail
  // before that, the browser keeps its old session instead of losing both.
  const replaces = old && HANDLE_SHAPE.test(old) ? handleId(old) : undefined;
  return { cookie, session: { subjectId: s.subjectId, payload, record, replaces } };
}

/** Stores a session (as begun, or changed in memory); a begun one then removes the record it replaces. */
export async function saveSession(ctx: ProviderContext, session: Session): Promise<void> {
  await ctx.stores.writeAll(sessionWrites(session));
  session.replaces = undefined;
}

/** The writes that store a session: its record, then the deletion of the record it replaces. */
export function sessionWrites(session: Session): RecordWrite[] {
  const writes: RecordWrite[] = [{ put: { ...session.record, clientIds: [...session.payload.clients], payload: session.payload } }];
  if (session.replaces !== undefined && session.replaces !== session.record.id) writes.push({ delete: { kind: 'session', id: session.replaces } });
  return writes;
}

/** Starts and stores a session; returns the cookie to set. A previous session of this browser is ended (no fixation). */
export async function startSession(
  ctx: ProviderContext,
  req: Pick<InternalRequest, 'cookies'>,
  s: NewSession,
): Promise<{ cookie: SetCookie; session: Session }> {
  const started = await beginSession(ctx, req, s);
  await saveSession(ctx, started.session);
  return started;
}

/**
 * Sliding expiry moves only when it would move by more than this share of the
 * lifetime: a session used again within 5% of its lifetime (30 minutes of the
 * default 10-hour cookie lifetime) is not rewritten, so it may end up to that
 * much earlier than a session rewritten on every use. A client new to the
 * session is always written (the list is what logout notifies).
 */
export const SLIDE_THRESHOLD = 0.05;

/**
 * The session record to write when a client receives tokens in it: the client
 * recorded and the expiry slid. Undefined (nothing to write) when the client
 * is known and the expiry would move by no more than {@link SLIDE_THRESHOLD}
 * of the lifetime.
 */
export function touchedSession(ctx: ProviderContext, session: Session, clientId: string): StoredRecord<SessionPayload> | undefined {
  const now = ctx.clock.now();
  const lifetime = sessionLifetime(ctx, session.payload.remember);
  const known = session.payload.clients.includes(clientId);
  const expiresAt = Math.min(Math.max(session.record.expiresAt, now + lifetime), session.payload.absoluteExpiresAt ?? Infinity);
  if (known && expiresAt - session.record.expiresAt <= lifetime * SLIDE_THRESHOLD) return undefined;
  const clients = known ? session.payload.clients : [...session.payload.clients, clientId];
  return { ...session.record, expiresAt, clientIds: [...clients], payload: { ...session.payload, clients } };
}

/**
 * Slides a stored session's inactivity expiry for a use without a browser (a
 * refresh of a session-bound token), with the same write threshold as
 * {@link touchedSession}; true when it wrote.
 */
export async function slideSessionExpiry(ctx: ProviderContext, record: StoredRecord<SessionPayload>): Promise<boolean> {
  const lifetime = sessionLifetime(ctx, record.payload.remember);
  const expiresAt = Math.min(Math.max(record.expiresAt, ctx.clock.now() + lifetime), record.payload.absoluteExpiresAt ?? Infinity);
  if (expiresAt - record.expiresAt <= lifetime * SLIDE_THRESHOLD) return false;
  await ctx.stores.sessions.put({ ...record, expiresAt, clientIds: [...record.payload.clients] });
  return true;
}

/** The cookie that deletes the session cookie. */
export const sessionCookieDeletion = (): SetCookie => ({ name: SESSION_COOKIE, value: '', maxAge: 0 });
