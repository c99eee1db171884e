/**
 * OpenID Connect Back-Channel Logout 1.0 §2.4: the logout token, a JWT with
 * `typ: logout+jwt` (§2.4, explicit typing against cross-JWT confusion),
 * the back-channel logout event, sub and/or sid, a jti, and never a nonce.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import { signJwt } from './sign-jwt.js';
import { subjectFor } from './pairwise.js';

/** The event member of the logout token's `events` claim (§2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutTokenRequest {
  client: Client;
  subjectId: string;
  sid: string;
}

/**
 * Signs a logout token for one client.
 *
 * @example
 * const token = await issueLogoutToken(ctx, { client, subjectId: '1', sid: session.sid });
 */
export async function issueLogoutToken(ctx: ProviderContext, req: LogoutTokenRequest): Promise<string> {
  const now = ctx.clock.now();
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    // §2.4: sub and/or sid; sub always, sid when the client asks for it (§2.2).
    sub: subjectFor(ctx, req.client, req.subjectId),
    aud: req.client.clientId,
    iat: now,
    // §4: a short lifetime keeps a captured token from being replayed.
    exp: now + ctx.config.authentication.logoutTokenLifetime,
    jti: randomBytes(16).toString('base64url'),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
  if (req.client.backChannelLogoutSessionRequired) claims.sid = req.sid;
  return signJwt(claims, ctx.keys.signingKey(), 'logout+jwt');
}
