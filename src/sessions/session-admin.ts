/**
 * Server-side session management, as IdentityServer's session management
 * service: query sessions by user, client or sid; end them remotely (with
 * back-channel logout and token revocation); end expired ones; revoke what a
 * client holds for a user.
 */
import type { ProviderContext } from '../context.js';
import { FIND_MANY_LIMIT, type RecordFilter, type StoredRecord } from '../stores/types.js';
import { markGrantRevoked, revokeIssuedJwts } from '../tokens/grant-revocation.js';
import { endStoredSession, type EndedSession } from './end-user-session.js';
import type { SessionPayload } from './session-record.js';
import { isLive } from './session-service.js';

/** Which sessions: every given field must match; at least one is required to end sessions. */
export interface SessionFilter {
  subjectId?: string;
  clientId?: string;
  sid?: string;
}

/** A session as the management API shows it (no cookie handle, no browser state). */
export interface SessionInfo {
  sid: string;
  subjectId: string;
  authTime: number;
  createdAt: number;
  /** When the session ends without further use (inactivity timeout). */
  expiresAt: number;
  /** When it ends however active (absolute lifetime), if limited. */
  absoluteExpiresAt?: number;
  amr: string[];
  /** Clients that signed in through this session, each with the sid it was given. */
  clients: { clientId: string; sid: string }[];
}

const toInfo = (rec: StoredRecord<SessionPayload>): SessionInfo => ({
  sid: rec.payload.sid,
  subjectId: rec.subjectId ?? '',
  authTime: rec.payload.authTime,
  createdAt: rec.createdAt,
  expiresAt: Math.min(rec.expiresAt, rec.payload.absoluteExpiresAt ?? Infinity),
  absoluteExpiresAt: rec.payload.absoluteExpiresAt,
  amr: rec.payload.amr,
  clients: rec.payload.clients.map((clientId) => ({ clientId, sid: rec.payload.sid })),
});

/**
 * Stored session records matching the filter, page after page of the
 * store's findMany limit, so the answer is exact however many there are.
 * A client filter uses the store's index of the sessions' clients
 * (StoredRecord.clientIds).
 */
async function findSessions(ctx: ProviderContext, filter: SessionFilter): Promise<StoredRecord<SessionPayload>[]> {
  const found: StoredRecord<SessionPayload>[] = [];
  const query: RecordFilter = { subjectId: filter.subjectId, sessionId: filter.sid, clientIdsInclude: filter.clientId };
  for (;;) {
    const page = await ctx.stores.sessions.findPage(query);
    found.push(...page);
    const last = page.at(-1);
    if (!last || page.length < FIND_MANY_LIMIT) break;
    query.after = { createdAt: last.createdAt, id: last.id };
  }
  const now = ctx.clock.now();
  // The payload's list is the truth (sessions stored before the index carry no clientIds).
  return found.filter((r) => isLive(r, now) && (filter.clientId === undefined || r.payload.clients.includes(filter.clientId)));
}

/**
 * Live sessions matching the filter, oldest first.
 *
 * @example
 * const sessions = await querySessions(ctx, { subjectId: '1' });
 */
export async function querySessions(ctx: ProviderContext, filter: SessionFilter = {}): Promise<SessionInfo[]> {
  return (await findSessions(ctx, filter)).map(toInfo);
}

/**
 * Ends every live session matching the filter (at least one field required):
 * back-channel logout goes to their clients, session-bound tokens are revoked.
 * Returns the sessions ended.
 *
 * @example
 * await endSessions(ctx, { sid });
 */
export async function endSessions(ctx: ProviderContext, filter: SessionFilter): Promise<EndedSession[]> {
  if (filter.subjectId === undefined && filter.clientId === undefined && filter.sid === undefined) {
    throw new TypeError('endSessions needs a subjectId, clientId or sid');
  }
  const ended: EndedSession[] = [];
  for (const rec of await findSessions(ctx, filter)) {
    const e = await endStoredSession(ctx, rec, 'admin');
    if (e) ended.push(e);
  }
  return ended;
}

/**
 * Ends sessions whose inactivity timeout or absolute lifetime has passed, so
 * their clients get back-channel logout (IdentityServer's
 * ExpiredSessionsTriggerBackchannelLogout). Runs before the purge.
 */
export async function endExpiredSessions(ctx: ProviderContext, batch = 100, maxBatches = 50): Promise<number> {
  let n = 0;
  for (let i = 0; i < maxBatches; i++) {
    const expired = await ctx.stores.sessions.findPage({ expiredAt: ctx.clock.now(), limit: batch });
    // Each record found is deleted here (or was by another node), so the next batch moves on.
    for (const rec of expired) if (await endStoredSession(ctx, rec, 'expired')) n++;
    if (expired.length < batch) break;
  }
  return n;
}

/**
 * Revokes what a client holds for a user: remembered consent, refresh tokens
 * (with the JWT access tokens their redemptions issued), reference tokens
 * and unredeemed codes; the client is also dropped from the user's sessions
 * so it is not notified at their logout. Returns the number of records removed.
 *
 * @example
 * await revokeClientGrant(ctx, '1', 'interactive.public');
 */
export async function revokeClientGrant(ctx: ProviderContext, subjectId: string, clientId: string): Promise<number> {
  const { stores } = ctx;
  // Marked first: a rotation racing this revocation revokes what it issues itself.
  for (const rec of await stores.refreshTokens.findMany({ subjectId, clientId })) {
    if (rec.grantId) await markGrantRevoked(ctx, rec.grantId);
  }
  const tokens = await revokeIssuedJwts(ctx, subjectId, clientId);
  let removed = 0;
  for (const rec of tokens) if (rec.grantId) removed += await stores.grants.deleteFamily(rec.grantId);
  for (const [kind, n] of await stores.grants.deleteHeld(subjectId, clientId)) {
    if (kind === 'consent' && n > 0) ctx.events({ type: 'consent_revoked', subjectId, clientId });
    removed += n;
  }
  for (const s of await stores.sessions.findPage({ subjectId })) {
    if (!s.payload.clients.includes(clientId)) continue;
    const clients = s.payload.clients.filter((c) => c !== clientId);
    await stores.sessions.put({ ...s, clientIds: clients, payload: { ...s.payload, clients } });
  }
  ctx.events({ type: 'grant_revoked', reason: 'revoked_by_user', subjectId, clientId, detail: { records: removed } });
  return removed;
}

/**
 * The clients holding something for a user (remembered consent, refresh or
 * reference tokens), for a "your applications" list.
 *
 * @example
 * const clientIds = await clientsWithGrants(ctx, '1'); // ['interactive.public']
 */
export async function clientsWithGrants(ctx: ProviderContext, subjectId: string): Promise<string[]> {
  return ctx.stores.grants.clientsHolding(subjectId, ctx.clock.now());
}
