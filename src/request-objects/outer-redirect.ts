/**
 * Where a request that failed before its request object or pushed request
 * could be read may still send its error (OIDC Core §3.1.2.6, RFC 9101 §7):
 * only to the redirect_uri sent beside it (the "OAuth 2.0 request syntax" one)
 * when that URI is registered for the client the request names. A redirect_uri
 * inside a request object that failed is never trusted.
 */
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import type { Params } from '../core/types.js';
import type { ResponseMode, VerifiedRedirect } from '../model/authorization-request.js';
import { canonicalResponseType, defaultResponseMode, modeAllowed } from '../endpoints/authorize/response-types.js';

const MODES: ReadonlySet<string> = new Set(['query', 'fragment', 'form_post']);

/** The outer redirect target when the outer client_id and redirect_uri verify; undefined otherwise (the error page). */
export async function verifiedOuterRedirect(ctx: ProviderContext, outer: Params): Promise<VerifiedRedirect | undefined> {
  try {
    const clientId = single(outer, 'client_id', 200);
    const redirectUri = single(outer, 'redirect_uri', 2048);
    if (clientId === undefined || redirectUri === undefined) return undefined;
    const client = ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
    if (!client?.enabled || !(await ctx.extensions.redirectUris.isRedirectUriValid(redirectUri, client))) return undefined;
    // The outer response type's default mode (the fragment where a token is returned), or an allowed outer response_mode.
    const rt = single(outer, 'response_type', 64);
    const type = rt === undefined ? undefined : canonicalResponseType(rt);
    const mode = single(outer, 'response_mode', 32);
    const allowed = mode !== undefined && MODES.has(mode) && (type === undefined || modeAllowed(type, mode as ResponseMode));
    return { redirectUri, responseMode: allowed ? (mode as ResponseMode) : defaultResponseMode(type), state: single(outer, 'state', 2048) };
  } catch {
    // A repeated or oversized outer parameter: nothing to trust.
    return undefined;
  }
}
