/**
 * The interaction API: what a login/consent UI calls. The built-in pages use
 * only this; a host app replaces them by pointing `interactionUrl` at its own
 * pages and calling these methods with the browser's cookies.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { parseCookies, readableCookies } from '../core/cookies.js';
import { currentSession, type Session } from '../sessions/session-service.js';
import { essentialAcrValues } from '../tokens/claims-request.js';
import {
  csrfMatches,
  extendAfterLogin,
  loadInteraction,
  loginOf,
  saveInteraction,
  type ConsentResult,
  type Interaction,
  type InteractionKind,
  type LoginResult,
} from './interaction-store.js';

export interface ScopeInfo {
  name: string;
  displayName: string;
  description?: string;
  required: boolean;
  emphasize: boolean;
}

export interface InteractionDetails {
  id: string;
  kind: InteractionKind;
  client: { clientId: string; clientName: string; logoUri?: string; clientUri?: string };
  identityScopes: ScopeInfo[];
  apiScopes: ScopeInfo[];
  /** The verified redirect URI's origin (for a page's CSP form-action). */
  redirectOrigin: string;
  loginHint?: string;
  uiLocales?: string;
  /** OIDC Core §3.1.2.1 display (page, popup, touch, wap), when the request sent one. */
  display?: string;
  /** acr values the client asked for: `acr_values` (voluntary) and an essential acr of the `claims` parameter (a condition, OIDC Core §5.5.1.1). */
  acrValues: { requested: string[]; essential?: string[] };
  prompt: string[];
  /** The signed-in user (for consent pages). */
  subjectId?: string;
  /** Anti-CSRF token to put in the page's forms. */
  csrfToken: string;
  /** What a host's custom authorize request validator attached to the request. */
  annotations?: Record<string, unknown>;
}

/** The browser's cookies: a parsed record or the raw Cookie header. */
export type CookieSource = Readonly<Record<string, string>> | string | undefined;

export interface InteractionApi {
  /** A pending interaction bound to this browser, or undefined (unknown, expired, other browser). */
  details(id: string, cookies: CookieSource): Promise<InteractionDetails | undefined>;
  /** The user authenticated; returns the URL to send the browser to. */
  login(id: string, cookies: CookieSource, result: LoginResult): Promise<string>;
  /** The user granted scopes; returns the URL to send the browser to. */
  consent(id: string, cookies: CookieSource, result: ConsentResult): Promise<string>;
  /** The user cancelled; the client gets access_denied. */
  deny(id: string, cookies: CookieSource): Promise<string>;
  /** Checks a form's anti-CSRF token against the interaction. */
  verifyCsrf(id: string, cookies: CookieSource, token: string | undefined): Promise<boolean>;
}

/** The browser's cookies under their plain names; on https only the `__Host-` ones (core/cookies.ts). */
const toRecord = (c: CookieSource, secure: boolean) => readableCookies(typeof c === 'string' || c === undefined ? parseCookies(c) : c, secure);

export function scopeInfos(ctx: ProviderContext, scopes: readonly string[]): { identityScopes: ScopeInfo[]; apiScopes: ScopeInfo[] } {
  const identityScopes: ScopeInfo[] = [];
  const apiScopes: ScopeInfo[] = [];
  for (const name of scopes) {
    const id = ctx.resources.identity.get(name);
    const api = ctx.resources.apiScopes.get(name);
    const r = id ?? api;
    if (!r) continue;
    const info = {
      name,
      displayName: r.displayName ?? name,
      description: r.description,
      required: r.required,
      emphasize: r.emphasize || name === 'offline_access',
    };
    (id ? identityScopes : apiScopes).push(info);
  }
  return { identityScopes, apiScopes };
}

/** What the user decided on a page, as recorded on the interaction. */
export type InteractionOutcome = { login: LoginResult } | { consent: ConsentResult } | { denied: true };

/**
 * Records an outcome on a loaded interaction (not stored here): the caller
 * either saves it and redirects to the resume endpoint (the API) or
 * continues the flow with it at once (the built-in pages).
 */
export function recordOutcome(ctx: ProviderContext, i: Interaction, outcome: InteractionOutcome): void {
  const login = loginOf(i.payload.state);
  if ('login' in outcome) {
    if (!outcome.login.subjectId) throw new InvalidRequest('login result needs a subjectId');
    i.payload.state = { step: 'logged_in', login: { ...outcome.login, authTime: ctx.clock.now(), sessionStarted: false } };
    extendAfterLogin(ctx, i);
  } else if ('consent' in outcome) {
    const requested = i.payload.request.scopes;
    const { identityScopes, apiScopes } = scopeInfos(ctx, requested);
    const required = [...identityScopes, ...apiScopes].filter((s) => s.required).map((s) => s.name);
    // Only scopes that were requested; required ones cannot be declined.
    const granted = requested.filter((s) => outcome.consent.scopes.includes(s) || required.includes(s));
    i.payload.state = { step: 'consented', login, consent: { scopes: granted, remember: outcome.consent.remember ?? false } };
  } else {
    i.payload.state = { step: 'denied', login };
  }
}

/** What a page request loads once: the interaction, the browser's session, and the details the page shows. */
export interface LoadedPage {
  details: InteractionDetails;
  interaction: Interaction;
  session: Session | undefined;
}

/**
 * Loads the interaction named by `id` and bound to these cookies, and the
 * browser's session: once per page request (the built-in pages hand both to
 * the flow instead of loading them again).
 */
export async function loadPage(ctx: ProviderContext, id: string, cookies: Readonly<Record<string, string>>): Promise<LoadedPage | undefined> {
  const i = await loadInteraction(ctx, id, cookies);
  if (!i) return undefined;
  const r = i.payload.request;
  const client = ctx.clients.load ? await ctx.clients.load(r.clientId) : ctx.clients.find(r.clientId);
  if (!client) return undefined;
  const session = await currentSession(ctx, { cookies });
  const details: InteractionDetails = {
    id,
    kind: i.payload.kind,
    client: { clientId: client.clientId, clientName: client.clientName ?? client.clientId, logoUri: client.logoUri, clientUri: client.clientUri },
    ...scopeInfos(ctx, r.scopes),
    redirectOrigin: new URL(r.redirectUri).origin,
    loginHint: r.loginHint,
    uiLocales: r.uiLocales,
    ...(r.display && { display: r.display }),
    acrValues: { requested: r.acrValues, ...(essentialAcrValues(r.claims) && { essential: essentialAcrValues(r.claims) }) },
    prompt: r.prompt,
    subjectId: session?.subjectId,
    csrfToken: i.payload.csrf,
    ...(r.annotations && { annotations: r.annotations }),
  };
  return { details, interaction: i, session };
}

export function createInteractionApi(ctx: ProviderContext): InteractionApi {
  const secure = ctx.issuer.startsWith('https:');
  const resumeUrl = (id: string) => `${ctx.endpoints.authorization}/resume?id=${id}`;
  const load = async (id: string, cookies: CookieSource): Promise<Interaction> => {
    const i = await loadInteraction(ctx, id, toRecord(cookies, secure));
    if (!i) throw new InvalidRequest('this sign-in request has expired or belongs to another browser');
    return i;
  };
  /** Loads, records the outcome, stores it; the browser continues at the resume endpoint. */
  const record = async (id: string, cookies: CookieSource, outcome: InteractionOutcome): Promise<string> => {
    const i = await load(id, cookies);
    recordOutcome(ctx, i, outcome);
    await saveInteraction(ctx, i);
    return resumeUrl(id);
  };
  return {
    async details(id, cookies) {
      return (await loadPage(ctx, id, toRecord(cookies, secure)))?.details;
    },
    login: (id, cookies, result) => record(id, cookies, { login: result }),
    consent: (id, cookies, result) => record(id, cookies, { consent: result }),
    deny: (id, cookies) => record(id, cookies, { denied: true }),
    async verifyCsrf(id, cookies, token) {
      const i = await loadInteraction(ctx, id, toRecord(cookies, secure));
      return Boolean(i && csrfMatches(i, token));
    },
  };
}
