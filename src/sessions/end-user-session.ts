/**
 * Ending an SSO session, wherever it is ended from (the end session
 * endpoint, the home page's sign-out, an administrator, expiry): the record
 * is deleted, tokens bound to the session are revoked, clients with a
 * back-channel logout URI are notified in the background, and the
 * front-channel logout URLs are returned for the signed-out page.
 */
import type { ProviderContext } from '../context.js';
import { markGrantRevoked, revokeJwtAccessToken } from '../tokens/grant-revocation.js';
import type { InternalRequest, SetCookie } from '../core/types.js';
import type { Client } from '../model/types.js';
import type { StoredRecord } from '../stores/types.js';
import { notifyBackChannel } from './back-channel-logout.js';
import { browserStateDeletion } from './browser-state.js';
import type { SessionPayload } from './session-record.js';
import { currentSession, sessionCookieDeletion, type Session } from './session-service.js';

/** Why a session ended: sign-out, an administrator, expiry, or another user signing in on the browser. */
export type SessionEndReason = 'user_logout' | 'admin' | 'expired' | 'replaced';

export interface EndedSession {
  subjectId: string;
  sid: string;
  /** Front-Channel Logout 1.0 §2: the URLs the signed-out page loads in iframes. */
  frontChannelUrls: string[];
}

/**
 * Front-Channel Logout 1.0 §2: the client's frontChannelLogoutUri with iss and
 * sid added to its query when the client requires them.
 */
export function frontChannelLogoutUrl(ctx: ProviderContext, client: Client, sid: string): string | undefined {
  if (!client.frontChannelLogoutUri) return undefined;
  if (!client.frontChannelLogoutSessionRequired) return client.frontChannelLogoutUri;
  const url = new URL(client.frontChannelLogoutUri);
  url.searchParams.set('iss', ctx.issuer);
  url.searchParams.set('sid', sid);
  return url.toString();
}

/**
 * Revokes the refresh tokens (and the JWT access tokens their redemptions
 * issued) of the session's clients that set coordinateLifetimeWithUserSession,
 * and the session's unredeemed authorization codes.
 */
async function revokeSessionTokens(ctx: ProviderContext, sid: string): Promise<void> {
  await ctx.stores.codes.deleteBySession(sid);
  const tokens = await ctx.stores.refreshTokens.findMany({ sessionId: sid });
  const grants = new Set<string>();
  for (const rec of tokens) {
    const client = rec.clientId ? ctx.clients.find(rec.clientId) : undefined;
    if (!client?.coordinateLifetimeWithUserSession) continue;
    if (rec.payload.issuedJwt) await revokeJwtAccessToken(ctx, rec.payload.issuedJwt.jti, rec.payload.issuedJwt.exp, rec.clientId);
    if (rec.grantId) grants.add(rec.grantId);
    else await ctx.stores.refreshTokens.delete(rec.id);
  }
  for (const grantId of grants) {
    await markGrantRevoked(ctx, grantId);
    await ctx.stores.grants.deleteFamily(grantId);
  }
}

/**
 * Ends one stored session. Returns undefined when the record was already gone
 * (ended concurrently), so clients are notified once.
 *
 * @example
 * const ended = await endStoredSession(ctx, record, 'admin');
 */
export async function endStoredSession(
  ctx: ProviderContext,
  record: StoredRecord<SessionPayload>,
  reason: SessionEndReason,
): Promise<EndedSession | undefined> {
  if (!(await ctx.stores.sessions.delete(record.id))) return undefined;
  const subjectId = record.subjectId ?? '';
  const { sid, clients: clientIds } = record.payload;
  await revokeSessionTokens(ctx, sid);
  const frontChannelUrls: string[] = [];
  const notified: Client[] = [];
  for (const clientId of clientIds) {
    const client = ctx.clients.find(clientId);
    if (!client || !client.enabled) continue;
    notified.push(client);
    const url = frontChannelLogoutUrl(ctx, client, sid);
    if (url) frontChannelUrls.push(url);
  }
  await notifyBackChannel(ctx, notified, { subjectId, sid });
  ctx.events({ type: 'session_ended', subjectId, detail: { sid, reason, clients: clientIds } });
  return { subjectId, sid, frontChannelUrls };
}

/**
 * Signs this browser out: ends its session (if any) and returns the cookies
 * that delete the session and browser-state cookies.
 */
export async function signOutBrowser(
  ctx: ProviderContext,
  req: Pick<InternalRequest, 'cookies'>,
  session?: Session,
): Promise<{ cookies: SetCookie[]; ended?: EndedSession }> {
  const current = session ?? (await currentSession(ctx, req));
  const ended = current ? await endStoredSession(ctx, current.record, 'user_logout') : undefined;
  return { cookies: [sessionCookieDeletion(), browserStateDeletion(ctx)], ended };
}
