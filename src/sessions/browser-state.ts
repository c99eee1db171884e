/**
 * OpenID Connect Session Management 1.0 §3 and §4.1: the OP browser state
 * and the session_state value of authorization responses.
 *
 * The browser state lives in a cookie the check_session_iframe's script can
 * read (so not HttpOnly). It is a random value kept in the session record,
 * never the session handle or the sid, so reading it grants nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { SetCookie } from '../core/types.js';
import type { Session } from './session-service.js';

export const BROWSER_STATE_COOKIE = 'gh.browser';

/**
 * The browser-state cookie of a session. On an https issuer it is
 * SameSite=None (the iframe runs in the client's site); on http it stays Lax,
 * which browsers require without Secure.
 */
export function browserStateCookie(ctx: ProviderContext, session: Session): SetCookie | undefined {
  const state = session.payload.browserState;
  if (!state) return undefined;
  const https = ctx.issuer.startsWith('https:');
  const maxAge = session.payload.remember ? session.record.expiresAt - ctx.clock.now() : undefined;
  return { name: BROWSER_STATE_COOKIE, value: state, httpOnly: false, sameSite: https ? 'None' : 'Lax', maxAge };
}

/** Deletes the browser-state cookie (the iframe then answers "changed"). */
export function browserStateDeletion(ctx: ProviderContext): SetCookie {
  return { name: BROWSER_STATE_COOKIE, value: '', maxAge: 0, httpOnly: false, sameSite: ctx.issuer.startsWith('https:') ? 'None' : 'Lax' };
}

/**
 * §4.1: session_state = hash(client_id, origin, browser state, salt) "." salt,
 * with SHA-256 in hex over the four values joined by spaces (the same
 * computation the check_session_iframe script does).
 *
 * @example sessionState('app', 'https://app.example', state) // "9f2c…e1.Qx3…"
 */
export function sessionState(clientId: string, origin: string, browserState: string, salt = randomBytes(12).toString('base64url')): string {
  const hash = createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('hex');
  return `${hash}.${salt}`;
}
