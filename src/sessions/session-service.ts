/**
 * SSO sessions: a cookie holding a random handle, bound to a server-side
 * record (id = hash of the handle) carrying sid, auth_time, amr and acr.
 * A tampered, unknown or expired cookie is simply no session.
 */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, SetCookie } from '../http/types.js';
import type { StoredRecord } from '../stores/types.js';
import { handleId, newHandle } from '../tokens/handles.js';
import type { SessionPayload } from './session-record.js';

export const SESSION_COOKIE = 'gh.session';

export interface Session {
  subjectId: string;
  payload: SessionPayload;
  record: StoredRecord<SessionPayload>;
}

const HANDLE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** The session of this browser, if its cookie names a live record. */
export async function currentSession(ctx: ProviderContext, req: Pick<InternalRequest, 'cookies'>): Promise<Session | undefined> {
  const handle = req.cookies[SESSION_COOKIE];
  if (!handle || !HANDLE_SHAPE.test(handle)) return undefined;
  const rec = await ctx.backend.records.find<SessionPayload>('session', handleId(handle));
  if (!rec || rec.expiresAt <= ctx.clock.now() || !rec.subjectId) return undefined;
  return { subjectId: rec.subjectId, payload: rec.payload, record: rec };
}

export interface NewSession {
  subjectId: string;
  authTime: number;
  amr: string[];
  acr?: string;
  remember: boolean;
}

/** Starts a session; returns the cookie to set. A previous session of this browser is ended (no fixation). */
export async function startSession(ctx: ProviderContext, req: InternalRequest, s: NewSession): Promise<{ cookie: SetCookie; session: Session }> {
  const old = req.cookies[SESSION_COOKIE];
  if (old && HANDLE_SHAPE.test(old)) await ctx.backend.records.delete('session', handleId(old));
  const now = ctx.clock.now();
  const auth = ctx.config.authentication;
  const lifetime = s.remember ? auth.rememberMeLifetime : auth.cookieLifetime;
  const handle = newHandle();
  const payload: SessionPayload = { sid: newHandle().slice(0, 22), authTime: s.authTime, amr: s.amr, acr: s.acr, clients: [], remember: s.remember };
  const record: StoredRecord<SessionPayload> = {
    kind: 'session',
    id: handleId(handle),
    subjectId: s.subjectId,
    sessionId: payload.sid,
    createdAt: now,
    expiresAt: now + lifetime,
    payload,
  };
  await ctx.backend.records.put(record);
  const cookie: SetCookie = { name: SESSION_COOKIE, value: handle, maxAge: s.remember ? lifetime : undefined };
  return { cookie, session: { subjectId: s.subjectId, payload, record } };
}

/** Records that a client received tokens in this session and slides its expiry. */
export async function touchSession(ctx: ProviderContext, session: Session, clientId: string): Promise<void> {
  const now = ctx.clock.now();
  const auth = ctx.config.authentication;
  const lifetime = session.payload.remember ? auth.rememberMeLifetime : auth.cookieLifetime;
  const clients = session.payload.clients.includes(clientId) ? session.payload.clients : [...session.payload.clients, clientId];
  const record = { ...session.record, expiresAt: Math.max(session.record.expiresAt, now + lifetime), payload: { ...session.payload, clients } };
  await ctx.backend.records.put(record);
}

/** Ends the browser's session; returns the cookie that deletes it. */
export async function endSession(ctx: ProviderContext, req: Pick<InternalRequest, 'cookies'>): Promise<{ cookie: SetCookie; session?: Session }> {
  const session = await currentSession(ctx, req);
  if (session) await ctx.backend.records.delete('session', session.record.id);
  return { cookie: { name: SESSION_COOKIE, value: '', maxAge: 0 }, session };
}
