/**
 * The checks of a CIBA backchannel authentication request (CIBA Core 1.0
 * §7.1, §7.2, errors §13), in the order the endpoint runs them, each its own
 * function throwing one specific error.
 */
import type { ProviderContext } from '../context.js';
import {
  ExpiredLoginHintToken,
  InvalidBindingMessage,
  InvalidRequest,
  InvalidUserCode,
  MissingUserCode,
  UnauthorizedClient,
  UnknownUserId,
} from '../errors.js';
import { single, spaceList } from '../core/params.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import { CIBA_GRANT_TYPE } from '../config/ciba-checks.js';
import { usernameLoginHint } from '../extensions/ciba.js';
import { verifyIdTokenHint } from '../tokens/id-token-hint.js';
import { hintedLocalSubject } from '../tokens/pairwise.js';

/** Longest hint tokens accepted (signed JWTs). */
export const HINT_TOKEN_LIMIT = 8192;
/** §7.1: "The length of the token MUST NOT exceed 1024 characters". */
const NOTIFICATION_TOKEN_LIMIT = 1024;
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * §7.1 binding_message: "relatively short and use a limited set of plain text
 * characters". Letters, marks, digits, spaces and common punctuation; no
 * control characters, no markup.
 */
const BINDING_MESSAGE = /^[\p{L}\p{M}\p{N} .,:;!?'"()#+\-_/@&%*]+$/u;

/** The client must be allowed the CIBA grant (§13 unauthorized_client). */
export function checkCibaClient(client: Client): void {
  if (!client.grantTypeSet.has(CIBA_GRANT_TYPE)) throw new UnauthorizedClient('the client is not allowed to use CIBA');
}

/** §7.1.1 signed authentication requests are not supported (discovery advertises no signing algorithms). */
export function checkNoRequestObject(body: Params): void {
  if (body.has('request')) throw new InvalidRequest('signed authentication requests (request) are not supported');
}

/** §7.1 scope: REQUIRED, and "MUST contain the openid scope value". */
export function checkOpenidScope(scopes: readonly string[]): void {
  if (scopes.length === 0) throw new InvalidRequest('missing required parameter: scope');
  if (!scopes.includes('openid')) throw new InvalidRequest('scope must contain openid');
}

/** §7.1 client_notification_token: required in ping mode, a bearer token (RFC 6750 §2.1) of at most 1024 characters. */
export function notificationToken(body: Params, client: Client): string | undefined {
  if (client.backchannelTokenDeliveryMode !== 'ping') return undefined;
  const token = single(body, 'client_notification_token', NOTIFICATION_TOKEN_LIMIT);
  if (token === undefined) throw new InvalidRequest('missing required parameter: client_notification_token (the client uses ping mode)');
  if (!B64TOKEN.test(token)) throw new InvalidRequest('client_notification_token must be a bearer token (RFC 6750 §2.1)');
  return token;
}

/** §7.1 requested_expiry: a positive integer of seconds; the granted lifetime never exceeds `ciba.maxExpiry`. */
export function requestLifetime(ctx: ProviderContext, body: Params, client: Client): number {
  const raw = single(body, 'requested_expiry', 16);
  const max = ctx.config.ciba.maxExpiry;
  if (raw === undefined) return Math.min(client.cibaLifetime ?? ctx.config.ciba.defaultExpiry, max);
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new InvalidRequest('requested_expiry must be a positive integer');
  return Math.min(Number(raw), max);
}

/** §7.1 binding_message, limited in length and characters (§13 invalid_binding_message). */
export function bindingMessage(ctx: ProviderContext, body: Params): string | undefined {
  const message = single(body, 'binding_message', ctx.config.server.parameterLimit);
  if (message === undefined) return undefined;
  // Characters as code points (an emoji is refused by the character check below anyway).
  if (Array.from(message).length > ctx.config.ciba.bindingMessageMaxLength) {
    throw new InvalidBindingMessage(`binding_message must be at most ${ctx.config.ciba.bindingMessageMaxLength} characters`);
  }
  if (!BINDING_MESSAGE.test(message) || message.trim() !== message) {
    throw new InvalidBindingMessage('binding_message may hold letters, digits, spaces and common punctuation only');
  }
  return message;
}

/** §7.1 acr_values: kept and shown; Gatehouse has no per-request authentication levels to enforce. */
export function acrValues(body: Params): string[] | undefined {
  const values = spaceList(single(body, 'acr_values', 1024));
  return values.length ? values : undefined;
}

/**
 * §7.1: exactly one of login_hint_token, id_token_hint and login_hint names
 * the user; §13 unknown_user_id when it names nobody the OP knows.
 */
export async function hintedSubject(ctx: ProviderContext, body: Params, client: Client): Promise<string> {
  const loginHintToken = single(body, 'login_hint_token', HINT_TOKEN_LIMIT);
  const idTokenHint = single(body, 'id_token_hint', HINT_TOKEN_LIMIT);
  const loginHint = single(body, 'login_hint', 256);
  const given = [loginHintToken, idTokenHint, loginHint].filter((h) => h !== undefined).length;
  if (given !== 1) throw new InvalidRequest('exactly one of login_hint_token, id_token_hint and login_hint is required');
  const resolver = ctx.extensions.cibaUserResolver;
  let subjectId: string | undefined;
  if (idTokenHint !== undefined) {
    // §7.1: "An ID Token previously issued to the Client by the OpenID Provider".
    const claims = await verifyIdTokenHint(ctx, idTokenHint);
    if (!claims) throw new InvalidRequest('id_token_hint is not an ID token issued by this provider');
    if (!claims.aud.includes(client.clientId)) throw new InvalidRequest('id_token_hint was not issued to this client');
    // A pairwise client's hint names the user by its pairwise sub (OIDC Core §8; tokens/pairwise.ts).
    subjectId = await hintedLocalSubject(ctx, client, claims);
  } else if (loginHintToken !== undefined) {
    if (!resolver?.loginHintToken) throw new InvalidRequest('login_hint_token is not supported; use login_hint or id_token_hint');
    const result = await resolver.loginHintToken(loginHintToken, client);
    if (result && 'expired' in result) throw new ExpiredLoginHintToken('login_hint_token has expired');
    subjectId = result?.subjectId;
  } else if (loginHint !== undefined) {
    subjectId = await (resolver?.loginHint ? resolver.loginHint(loginHint, client) : usernameLoginHint(ctx.users, loginHint));
  }
  const user = subjectId === undefined ? undefined : await ctx.users.findBySubject(subjectId);
  if (!user?.isActive) throw new UnknownUserId('the hint does not identify a known user');
  return user.subjectId;
}

/** Whether user codes are in use: the host checks them (CibaUserResolver.verifyUserCode) and the client registered for them. */
export function userCodeSupported(ctx: ProviderContext): boolean {
  return ctx.extensions.cibaUserResolver?.verifyUserCode !== undefined;
}

/** §7.1 user_code, when both the OP and the client use it (§4 backchannel_user_code_parameter); §13 missing_user_code, invalid_user_code. */
export async function checkUserCode(ctx: ProviderContext, body: Params, client: Client, subjectId: string): Promise<void> {
  const resolver = ctx.extensions.cibaUserResolver;
  if (!resolver?.verifyUserCode || !client.backchannelUserCodeParameter) return;
  const code = single(body, 'user_code', 256);
  if (code === undefined) throw new MissingUserCode('user_code is required for this client');
  if (!(await resolver.verifyUserCode(subjectId, code, client))) throw new InvalidUserCode('user_code is invalid');
}
