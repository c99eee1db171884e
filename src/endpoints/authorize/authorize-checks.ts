/**
 * Authorization request validation as an ordered list of small checks, read
 * top to bottom. Phase one establishes the client and a verified redirect URI;
 * until then errors are shown on the error page, never redirected (RFC 6749
 * §4.1.2.1, OIDC Core §3.1.2.6). Phase two's errors go to the client.
 */
import type { ProviderContext } from '../../context.js';
import {
  InvalidClient,
  InvalidRequest,
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
const MODES = new Set<ResponseMode>(['query', 'fragment', 'form_post']);
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

/** The response mode to use for errors too; an invalid value falls back to the default. */
function readResponseMode(p: Params): { mode: ResponseMode; invalid?: string } {
  const list = p.get('response_mode');
  if (!list) return { mode: 'query' };
  if (list.length > 1) return { mode: 'query', invalid: 'parameter response_mode must not be repeated' };
  const v = list[0] as ResponseMode;
  return MODES.has(v) ? { mode: v } : { mode: 'query', invalid: 'unsupported response_mode' };
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

/** What an interaction would store stays under `authentication.maxInteractionSize` (nothing is stored otherwise). */
function checkStoredSize(ctx: ProviderContext, request: AuthorizationRequest): void {
  if (storedRequestSize(request) > ctx.config.authentication.maxInteractionSize) throw new InvalidRequest('the authorization request is too large');
}

function checkRequestObject(p: Params): void {
  if (p.has('request')) throw new RequestNotSupported('request objects are not supported');
  if (p.has('request_uri')) throw new RequestUriNotSupported('request_uri is not supported');
}

function checkResponseType(client: Client, p: Params): void {
  const rt = single(p, 'response_type', 64);
  if (!rt) throw new InvalidRequest('missing required parameter: response_type');
  if (rt !== 'code') throw new UnsupportedResponseType(`response_type ${rt} is not supported`);
  if (!client.grantTypeSet.has('authorization_code')) throw new UnauthorizedClient('client is not allowed the authorization code flow');
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
  const { mode, invalid } = readResponseMode(p);
  // OIDC Core §3.1.2.6: state is returned exactly as received; a repeated or
  // oversized state (rejected below) is not echoed at all, never truncated.
  const stateList = p.get('state');
  const oneState = stateList?.length === 1 && stateList[0].length <= LIMIT ? stateList[0] : undefined;
  const redirect: VerifiedRedirect = { redirectUri, responseMode: mode, state: oneState || undefined };
  try {
    if (invalid) throw new InvalidRequest(invalid);
    // The declaration's check (AUTHORIZE_PARAMETERS: no repeats but `resource`), redirected once the redirect URI is known.
    if (parameterProblem) throw parameterProblem;
    checkRequestObject(p);
    checkResponseType(client, p);
    const state = single(p, 'state', LIMIT);
    const scopes = spaceList(single(p, 'scope', LIMIT));
    const resourceIndicators = checkResources(p);
    validateScopes(ctx.resources, client, { requested: scopes, resourceIndicators });
    const pkce = checkPkce(client, p);
    const prompt = checkPrompt(p);
    const maxAge = checkMaxAge(p);
    const idTokenHintSub = await checkIdTokenHint(ctx, client, p);
    const request: AuthorizationRequest = {
      clientId: client.clientId,
      redirectUri,
      responseMode: mode,
      state,
      scopes,
      resourceIndicators,
      nonce: single(p, 'nonce', 512),
      ...pkce,
      prompt,
      maxAge,
      loginHint: single(p, 'login_hint', 256),
      idTokenHintSub,
      acrValues: checkAcrValues(p),
      uiLocales: single(p, 'ui_locales', 128),
      claimsLocales: single(p, 'claims_locales', 128),
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
