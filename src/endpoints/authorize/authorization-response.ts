/**
 * Sends an authorization response (success or error) to a verified redirect
 * URI in the requested response mode, always with RFC 9207 `iss`.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderContext } from '../../context.js';
import type { OAuthError } from '../../errors.js';
import { pageCsp } from '../../core/security-headers.js';
import type { InternalResponse, SetCookie } from '../../core/types.js';
import { renderFormPostPage } from '../../ui/index.js';
import type { VerifiedRedirect } from '../../model/authorization-request.js';
import { deliveryOf, isJwtMode, jarmResponse } from './jarm.js';

function withParams(redirectUri: string, params: Record<string, string>, separator: '?' | '#'): string {
  const qs = new URLSearchParams(params).toString();
  if (separator === '#') return `${redirectUri}#${qs}`;
  // RFC 6749 §3.1.2: keep the registered query component.
  return redirectUri + (redirectUri.includes('?') ? '&' : '?') + qs;
}

/**
 * The response in the target's mode. JARM modes (`*.jwt`) send one `response`
 * JWT holding the parameters, `state` and `iss` (endpoints/authorize/jarm.ts).
 */
export async function authorizationResponse(
  ctx: ProviderContext,
  target: VerifiedRedirect,
  params: Record<string, string>,
  cookies?: SetCookie[],
): Promise<InternalResponse> {
  let all: Record<string, string> = { ...params };
  if (target.state !== undefined) all.state = target.state;
  const mode = deliveryOf(target.responseMode);
  if (isJwtMode(target.responseMode) && target.clientId !== undefined) {
    const client = ctx.clients.load ? await ctx.clients.load(target.clientId) : ctx.clients.find(target.clientId);
    all = { response: await jarmResponse(ctx, client, target.clientId, all) };
  } else all.iss = ctx.issuer; // RFC 9207 §2
  if (mode === 'form_post') {
    const nonce = randomBytes(16).toString('base64');
    const origin = new URL(target.redirectUri).origin;
    const html = renderFormPostPage({ action: target.redirectUri, fields: all, locale: ctx.config.ui.defaultLocale, nonce });
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': pageCsp([origin], nonce),
      },
      body: html,
      cookies,
    };
  }
  const location = withParams(target.redirectUri, all, mode === 'fragment' ? '#' : '?');
  return { status: 303, headers: { location, 'cache-control': 'no-store' }, cookies };
}

/** An error sent to the client (OIDC Core §3.1.2.6). */
export function authorizationErrorResponse(ctx: ProviderContext, target: VerifiedRedirect, err: OAuthError, cookies?: SetCookie[]): Promise<InternalResponse> {
  return authorizationResponse(ctx, target, { error: err.error, error_description: err.description }, cookies);
}
