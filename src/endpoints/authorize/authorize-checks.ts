/**
 * Authorization request validation as an ordered list of small checks, read
 * top to bottom. Phase one establishes the client and a verified redirect URI;
 * until then errors are shown on the error page, never redirected (RFC 6749
 * §4.1.2.1, OIDC Core §3.1.2.6). Phase two's errors go to the client.
 */
import { JWT_RESPONSE_MODES } from './jarm.js';
import type { ProviderContext } from '../../context.js';
import {
  InvalidClient,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  RequestNotSupported,
  RequestUriNotSupported,
  UnauthorizedClient,
  UnsupportedResponseType,
  type OAuthError,
} from '../../errors.js';
import { single, spaceList } from '../../core/params.js';
import type { Params } from '../../core/types.js';
import type { Client } from '../../model/types.js';
import { validateScopes } from '../../model/validate-scopes.js';
import { verifyIdTokenHint } from '../../tokens/id-token-hint.js';
import type { AuthorizationRequest, ResponseMode, VerifiedRedirect } from '../../model/authorization-request.js';
import { storedRequestSize } from '../../interaction/interaction-store.js';
import {
  canonicalResponseType,
  defaultResponseMode,
  grantedResponseTypes,
  modeAllowed,
  returnsAccessToken,
  returnsCode,
  returnsIdToken,
  type ResponseType,
} from './response-types.js';
import { checkDpopJkt } from './check-dpop-jkt.js';
import { CLAIMS_PARAMETER_LIMIT, parseClaimsRequest, requestedSubject, type ClaimsRequest } from '../../tokens/claims-request.js';

/** Thrown by phase two: the error may be sent to the verified redirect URI. */
export class RedirectableError extends Error {
  constructor(
    readonly oauth: OAuthError,
    readonly redirect: VerifiedRedirect,
  ) {
    super(oauth.description);
  }
}

const LIMIT = 2048;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
const MODES = new Set<string>(['query', 'fragment', 'form_post', ...JWT_RESPONSE_MODES]);
// RFC 7636 §4.2: 43-128 characters of the unreserved set.
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
/** Distinct `resource` values one request may name (issue 12 §2.3: an unauthenticated request must not store much). */
export const MAX_RESOURCES = 10;
/** Values of `acr_values`, a space-separated list (OIDC Core §3.1.2.1). */
export const MAX_ACR_VALUES = 10;

// ---- Phase one: errors are shown to the user ----

async function checkClient(ctx: ProviderContext, p: Params): Promise<Client> {
  const clientId = single(p, 'client_id', 200);
  if (!clientId) throw new InvalidRequest('missing required parameter: client_id');
  const client = ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
  if (!client || !client.enabled) throw new InvalidClient('unknown client or client not enabled');
  return client;
}

async function checkRedirectUri(ctx: ProviderContext, client: Client, p: Params): Promise<string> {
  const redirectUri = single(p, 'redirect_uri', LIMIT);
  // OIDC Core §3.1.2.1: redirect_uri is REQUIRED.
  if (!redirectUri) throw new InvalidRequest('missing required parameter: redirect_uri');
  // Exact matching plus loopback ports, unless the host brings a redirect URI validator.
  if (!(await ctx.extensions.redirectUris.isRedirectUriValid(redirectUri, client))) {
    ctx.events({ type: 'invalid_redirect', clientId: client.clientId, redirectUri: redirectUri.slice(0, 256) });
    throw new InvalidRequest('redirect_uri is not registered for this client');
  }
  return redirectUri;
}

/**
 * The response type as sent, when it is one Gatehouse implements (checked
 * in phase two); it decides the default response mode, for errors too.
 */
function readResponseType(p: Params): ResponseType | undefined {
  const list = p.get('response_type');
  return list?.length === 1 && list[0].length <= 64 ? canonicalResponseType(list[0]) : undefined;
}

/**
 * The response mode to use for errors too; an invalid value falls back to
 * the response type's default (Multiple Response Type Encoding Practices §5).
 * Where the response type returns a token, an error never goes in the query
 * either (§2.1), even when `response_mode=query` was asked for.
 */
function readResponseMode(p: Params, type: ResponseType | undefined): { mode: ResponseMode; invalid?: string } {
  const fallback = defaultResponseMode(type);
  const list = p.get('response_mode');
  if (!list) return { mode: fallback };
  if (list.length > 1) return { mode: fallback, invalid: 'parameter response_mode must not be repeated' };
  if (!MODES.has(list[0])) return { mode: fallback, invalid: 'unsupported response_mode' };
  // JARM §2.3.4: `jwt` is the response type's default encoding, as a JWT.
  const v = (list[0] === 'jwt' ? `${fallback}.jwt` : list[0]) as ResponseMode;
  if (type && !modeAllowed(type, v)) return { mode: fallback, invalid: `response_mode ${v} is not allowed for response_type ${type}: it returns a token` };
  return { mode: v };
}

// ---- Phase two: errors are redirected ----

/**
 * RFC 8707 §2: `resource` may repeat; the same value twice is one audience, so
 * repeats are dropped (order kept). More than MAX_RESOURCES distinct values
 * is invalid_target, the code RFC 8707 gives a request's resource problems.
 */
function checkResources(p: Params): string[] {
  const all = p.get('resource');
  if (!all) return [];
  const distinct = [...new Set(all)];
  if (distinct.length > MAX_RESOURCES) throw new InvalidTarget(`at most ${MAX_RESOURCES} distinct resource values are allowed`);
  return distinct;
}

function checkAcrValues(p: Params): string[] {
  const values = spaceList(single(p, 'acr_values', 512));
  if (values.length > MAX_ACR_VALUES) throw new InvalidRequest(`at most ${MAX_ACR_VALUES} acr_values are allowed`);
  return values;
}

/** OIDC Core §3.1.2.1 display: one of the four values the spec defines. */
const DISPLAYS = new Set(['page', 'popup', 'touch', 'wap']);

function checkDisplay(p: Params): string | undefined {
  const display = single(p, 'display', 16);
  if (display !== undefined && !DISPLAYS.has(display)) throw new InvalidRequest('display must be page, popup, touch or wap');
  return display;
}

/** OIDC Core §5.5: the claims parameter, a JSON object (tokens/claims-request.ts checks its members). */
function checkClaims(p: Params): ClaimsRequest | undefined {
  return parseClaimsRequest(single(p, 'claims', CLAIMS_PARAMETER_LIMIT));
}

/**
 * OIDC Core §5.5.1: a sub value in claims.id_token names the only user who
 * may get tokens, as an id_token_hint does; the two must agree.
 */
function subjectHint(hintSub: string | undefined, claims: ClaimsRequest | undefined): string | undefined {
  const requested = requestedSubject(claims);
  if (requested !== undefined && hintSub !== undefined && requested !== hintSub)
    throw new InvalidRequest('claims sub value and id_token_hint name different users');
  return hintSub ?? requested;
}

/** What an interaction would store stays under `authentication.maxInteractionSize` (nothing is stored otherwise). */
function checkStoredSize(ctx: ProviderContext, request: AuthorizationRequest): void {
  if (storedRequestSize(request) > ctx.config.authentication.maxInteractionSize) throw new InvalidRequest('the authorization request is too large');
}

function checkRequestObject(p: Params): void {
  if (p.has('request')) throw new RequestNotSupported('request objects are not supported');
  if (p.has('request_uri')) throw new RequestUriNotSupported('request_uri is not supported');
}

/**
 * RFC 6749 §4.1.2.1 / §4.2.2.1: unsupported_response_type for a type the
 * server does not implement, unauthorized_client for one this client may not
 * use (its grant types, and allowAccessTokensViaBrowser for the types that
 * return an access token: response-types.ts).
 */
function checkResponseType(client: Client, p: Params): ResponseType {
  const rt = single(p, 'response_type', 64);
  if (!rt) throw new InvalidRequest('missing required parameter: response_type');
  const type = canonicalResponseType(rt);
  if (!type) throw new UnsupportedResponseType(`response_type ${rt.slice(0, 32)} is not supported`);
  if (!grantedResponseTypes(client.grantTypeSet).includes(type)) throw new UnauthorizedClient(`client is not allowed response_type ${type}`);
  if (returnsAccessToken(type) && !client.allowAccessTokensViaBrowser)
    throw new UnauthorizedClient('client is not allowed to receive access tokens through the browser (allowAccessTokensViaBrowser)');
  return type;
}

/**
 * OIDC Core §3.2.2.1 and §3.3.2.11: nonce is REQUIRED when an ID token comes
 * from the authorization endpoint (§3.3.2.11: OPTIONAL for `code token`);
 * such a type also needs the openid scope (an ID token is an OpenID answer).
 */
function checkIdTokenRequest(type: ResponseType, scopes: readonly string[], nonce: string | undefined): void {
  if (!returnsIdToken(type)) return;
  if (!scopes.includes('openid')) throw new InvalidScope(`response_type ${type} requires the openid scope`);
  if (nonce === undefined || nonce === '') throw new InvalidRequest(`nonce is required for response_type ${type} (OpenID Connect Core 3.2.2.1, 3.3.2.11)`);
}

/**
 * OIDC Core §11: offline_access is ignored unless the response type returns
 * a code; refresh tokens only ever come from the token endpoint.
 */
function scopesFor(type: ResponseType, scopes: string[]): string[] {
  return returnsCode(type) ? scopes : scopes.filter((s) => s !== 'offline_access');
}

function checkPkce(client: Client, p: Params): Pick<AuthorizationRequest, 'codeChallenge' | 'codeChallengeMethod'> {
  const challenge = single(p, 'code_challenge', 256);
  const method = single(p, 'code_challenge_method', 16);
  if (!challenge) {
    if (method) throw new InvalidRequest('code_challenge_method without code_challenge');
    if (client.requirePkce) throw new InvalidRequest('code_challenge is required (PKCE)');
    return {};
  }
  if (!PKCE_VALUE.test(challenge)) throw new InvalidRequest('code_challenge must be 43-128 unreserved characters');
  // RFC 7636 §4.3: the default method is plain.
  const m = method ?? 'plain';
  if (m !== 'S256' && m !== 'plain') throw new InvalidRequest('code_challenge_method must be S256');
  if (m === 'plain' && !client.allowPlainTextPkce) throw new InvalidRequest('code_challenge_method plain is not allowed; use S256');
  return { codeChallenge: challenge, codeChallengeMethod: m };
}

function checkPrompt(p: Params): string[] {
  const prompt = spaceList(single(p, 'prompt', 128));
  for (const v of prompt) if (!PROMPTS.has(v)) throw new InvalidRequest(`unsupported prompt value: ${v.slice(0, 32)}`);
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (prompt.includes('none') && prompt.length > 1) throw new InvalidRequest('prompt=none cannot be combined with other values');
  return prompt;
}

function checkMaxAge(p: Params): number | undefined {
  const v = single(p, 'max_age', 16);
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v)) throw new InvalidRequest('max_age must be a non-negative integer');
  return Number(v);
}

/** OIDC Core §3.1.2.1: an ID token we issued, as a hint of the user; expiry is not checked. */
async function checkIdTokenHint(ctx: ProviderContext, client: Client, p: Params): Promise<string | undefined> {
  const hint = single(p, 'id_token_hint', 8192);
  if (!hint) return undefined;
  const claims = await verifyIdTokenHint(ctx, hint);
  if (!claims || !claims.aud.includes(client.clientId)) throw new InvalidRequest('id_token_hint is not a valid ID token issued to this client');
  return claims.sub;
}

/**
 * Validates a request; throws an OAuthError (show on the error page) or a
 * RedirectableError (send to the client).
 */
export async function validateAuthorizationRequest(
  ctx: ProviderContext,
  p: Params,
  parameterProblem?: OAuthError,
): Promise<{ client: Client; request: AuthorizationRequest }> {
  const client = await checkClient(ctx, p);
  const redirectUri = await checkRedirectUri(ctx, client, p);
  const { mode, invalid } = readResponseMode(p, readResponseType(p));
  // OIDC Core §3.1.2.6: state is returned exactly as received; a repeated or
  // oversized state (rejected below) is not echoed at all, never truncated.
  const stateList = p.get('state');
  const oneState = stateList?.length === 1 && stateList[0].length <= LIMIT ? stateList[0] : undefined;
  const redirect: VerifiedRedirect = { redirectUri, responseMode: mode, state: oneState || undefined, clientId: client.clientId };
  try {
    if (invalid) throw new InvalidRequest(invalid);
    // The declaration's check (AUTHORIZE_PARAMETERS: no repeats but `resource`), redirected once the redirect URI is known.
    if (parameterProblem) throw parameterProblem;
    checkRequestObject(p);
    const responseType = checkResponseType(client, p);
    const state = single(p, 'state', LIMIT);
    const scopes = scopesFor(responseType, spaceList(single(p, 'scope', LIMIT)));
    const resourceIndicators = checkResources(p);
    validateScopes(ctx.resources, client, { requested: scopes, resourceIndicators });
    const nonce = single(p, 'nonce', 512);
    checkIdTokenRequest(responseType, scopes, nonce);
    // RFC 7636 protects the code; a response type without one has nothing for PKCE to bind.
    const pkce = returnsCode(responseType) ? checkPkce(client, p) : {};
    const prompt = checkPrompt(p);
    const maxAge = checkMaxAge(p);
    const claims = checkClaims(p);
    const idTokenHintSub = subjectHint(await checkIdTokenHint(ctx, client, p), claims);
    const request: AuthorizationRequest = {
      clientId: client.clientId,
      redirectUri,
      responseType,
      responseMode: mode,
      state,
      scopes,
      resourceIndicators,
      nonce,
      ...pkce,
      dpopJkt: checkDpopJkt(p),
      prompt,
      maxAge,
      loginHint: single(p, 'login_hint', 256),
      idTokenHintSub,
      acrValues: checkAcrValues(p),
      uiLocales: single(p, 'ui_locales', 128),
      claimsLocales: single(p, 'claims_locales', 128),
      claims,
      display: checkDisplay(p),
    };
    // After the built-in checks: a host's validator may refuse (redirected like the above) or annotate.
    const custom = ctx.extensions.authorizeRequestValidator && (await ctx.extensions.authorizeRequestValidator.validate({ client, request, params: p }));
    if (custom && custom.annotations) request.annotations = custom.annotations;
    checkStoredSize(ctx, request);
    return { client, request };
  } catch (e) {
    if (e instanceof Error && 'error' in e) throw new RedirectableError(e as OAuthError, redirect);
    throw e;
  }
}
