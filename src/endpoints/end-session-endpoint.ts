/**
 * OpenID Connect RP-Initiated Logout 1.0: ends the SSO session (cookie and
 * server-side record), notifies the session's clients (front-channel iframes
 * on the signed-out page, back-channel POSTs in the background), and returns
 * to a registered post_logout_redirect_uri or shows the signed-out page.
 */
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../core/types.js';
import { signOutBrowser } from '../sessions/end-user-session.js';
import { currentSession, type Session } from '../sessions/session-service.js';
import { readLogoutRequest, type LogoutRequest } from './logout-request.js';
import { namesSubject } from '../tokens/pairwise.js';

/**
 * §2: the request is tied to this browser's session when its id_token_hint
 * names the signed-in user (and, with a sid, this session) and a logout_hint,
 * if any, names the same user. Otherwise the user is asked.
 */
async function tiedToSession(ctx: ProviderContext, r: LogoutRequest, session: Session): Promise<boolean> {
  // The hint's sub is the one its client saw: pairwise for a pairwise client (OIDC Core §8).
  if (!r.hint || !r.client || !namesSubject(ctx, r.client, r.hint.sub, session.subjectId)) return false;
  if (r.hint.sid !== undefined && r.hint.sid !== session.payload.sid) return false;
  if (r.logoutHint !== undefined && r.logoutHint !== session.subjectId) {
    const user = await ctx.users.findBySubject(session.subjectId);
    if (r.logoutHint !== user?.username) return false;
  }
  return true;
}

/** What the signed-out page shows besides the heading. */
export interface SignedOutView {
  /** Validated post_logout_redirect_uri with state appended. */
  postLogoutRedirectUri?: string;
  clientName?: string;
  /** Front-Channel Logout 1.0 §2: loaded in hidden iframes. */
  frontChannelUrls?: string[];
  uiLocales?: string;
}

/** The pages the end-session endpoint shows (the built-in ones: ui/routes/logout.ts). */
export interface LogoutPages {
  /** The signed-out page (with front-channel logout iframes). */
  loggedOut(req: InternalRequest, cookies: SetCookie[], view?: SignedOutView): InternalResponse;
  /** Asks the user to confirm a sign-out requested by an application. */
  confirmLogout(req: InternalRequest, action: string, fields: Record<string, string>, clientName?: string): InternalResponse;
  /** Checks the anti-CSRF token bound to the session cookie. */
  sessionCsrfMatches(req: InternalRequest, token: string | undefined): boolean;
}

/** The request's parameters as hidden fields of the confirmation form (the user confirms, so the hint is not carried). */
function confirmationFields(r: LogoutRequest): Record<string, string> {
  const fields: Record<string, string> = {};
  if (r.postLogoutRedirectUri !== undefined) fields.post_logout_redirect_uri = r.postLogoutRedirectUri;
  if (r.state !== undefined) fields.state = r.state;
  if (r.client) fields.client_id = r.client.clientId;
  if (r.uiLocales !== undefined) fields.ui_locales = r.uiLocales;
  return fields;
}

export function endSessionEndpoint(ui: LogoutPages) {
  return async (req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> => {
    const p = req.method === 'POST' ? req.body : req.query;
    const r = await readLogoutRequest(ctx, p);
    const current = await currentSession(ctx, req);
    const confirmed = req.method === 'POST' && single(p, 'confirm', 8) === '1' && ui.sessionCsrfMatches(req, single(p, 'csrf', 128));
    if (current && !confirmed && !(await tiedToSession(ctx, r, current))) {
      return ui.confirmLogout(req, ctx.endpoints.endSession, confirmationFields(r), r.client?.clientName ?? r.client?.clientId);
    }
    const { cookies, ended } = await signOutBrowser(ctx, req, current);
    if (ended) ctx.events({ type: 'user_logout', subjectId: ended.subjectId, clientId: r.client?.clientId, detail: { sid: ended.sid } });
    const frames = ended?.frontChannelUrls ?? [];
    // Without front-channel frames to load, straight back to the client.
    if (r.target && frames.length === 0) return { status: 303, headers: { location: r.target, 'cache-control': 'no-store' }, cookies };
    return ui.loggedOut(req, cookies, {
      postLogoutRedirectUri: r.target,
      clientName: r.client?.clientName ?? r.client?.clientId,
      frontChannelUrls: frames,
      uiLocales: r.uiLocales,
    });
  };
}
