/**
 * Refresh tokens bound to the user's session (a client with
 * coordinateLifetimeWithUserSession, as in IdentityServer): a refresh works
 * only while the session lives, and each refresh counts as use of the
 * session, sliding its inactivity timeout like a sign-in would.
 */
import type { ProviderContext } from '../context.js';
import { InvalidGrant } from '../errors.js';
import type { Client } from '../model/types.js';
import { isLive, slideSessionExpiry } from './session-service.js';

/**
 * Throws invalid_grant when the client binds its refresh tokens to the
 * session and the session named by `sid` is gone or expired; otherwise slides it.
 *
 * @example
 * await requireBoundSession(ctx, client, rec.sessionId);
 */
export async function requireBoundSession(ctx: ProviderContext, client: Client, sid: string | undefined): Promise<void> {
  if (!client.coordinateLifetimeWithUserSession || sid === undefined) return;
  const session = await ctx.stores.sessions.findBySid(sid);
  if (!session || !isLive(session, ctx.clock.now())) throw new InvalidGrant('the user session of this refresh token has ended');
  await slideSessionExpiry(ctx, session);
}
