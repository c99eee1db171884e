/**
 * What every built-in page module shares, made once per provider: the page
 * response with its CSP, the common view (locale, theme, base path), the
 * error and expired pages, and the CSRF checks of the forms.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../../context.js';
import type { OAuthError } from '../../errors.js';
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { pageCsp } from '../../core/security-headers.js';
import type { InternalRequest, InternalResponse, SetCookie } from '../../core/types.js';
import { SESSION_COOKIE } from '../../sessions/session-service.js';
import { loadPage, type InteractionApi, type InteractionDetails, type InteractionOutcome, type LoadedPage } from '../../interaction/interaction-api.js';
import { pickLocale, renderPage, type PageTemplates, type ThemeView } from '../index.js';

export function page(html: string, status = 200, formOrigins: string[] = [], cookies?: SetCookie[]): InternalResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': pageCsp(formOrigins) },
    body: html,
    cookies,
  };
}

/**
 * ui_locales of a page request, read without throwing: the error page renders
 * for any input, so a repeated or oversized value (OIDC Core §3.1.2.1) is just ignored.
 */
export function queryLocales(req: InternalRequest): string | undefined {
  const list = req.query.get('ui_locales');
  return list?.length === 1 && list[0].length <= 128 ? list[0] : undefined;
}

export const see = (location: string, cookies?: SetCookie[]): InternalResponse => ({
  status: 303,
  headers: { location, 'cache-control': 'no-store' },
  cookies,
});

export function asset(body: string, type = 'text/css; charset=utf-8'): Route {
  const bytes = new TextEncoder().encode(body);
  const res: InternalResponse = { status: 200, headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' }, body: bytes };
  return { methods: ['GET'], staticResponse: () => res };
}

/** Anti-CSRF token of the home page's sign-out form: derived from the HttpOnly session cookie. */
const digest = (s: string) => createHash('sha256').update(s).digest();
export const safeEqual = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
export const sessionCsrf = (req: InternalRequest) =>
  createHash('sha256')
    .update(`csrf:${req.cookies[SESSION_COOKIE] ?? ''}`)
    .digest('base64url');

/**
 * Records the user's decision on the interaction named by the request's `id`
 * query parameter and continues the authorization flow at once (endpoints/authorize/authorize-endpoint.ts).
 */
export type ContinueFlow = (
  req: InternalRequest,
  outcome: InteractionOutcome,
  loaded?: Pick<LoadedPage, 'interaction' | 'session'>,
) => Promise<InternalResponse>;

export interface PageKit {
  ctx: ProviderContext;
  api: InteractionApi;
  continueFlow: ContinueFlow;
  templates: PageTemplates | undefined;
  /** `ui.basePath` without trailing slash. */
  base: string;
  /** `display`: OIDC Core §3.1.2.1, for the page's `data-display` (CSS may adapt a popup or touch layout). */
  common(locales?: string, display?: string): { locale: ReturnType<typeof pickLocale>; theme: ThemeView; basePath: string; display?: string };
  client(d: InteractionDetails): { name: string; logoUri: string | undefined; clientUri: string | undefined };
  renderError(err: OAuthError, req: InternalRequest, status?: number): InternalResponse;
  /** The page for an interaction that is gone or bound to another browser. */
  expired(req: InternalRequest): InternalResponse;
  /** The form's CSRF token against the interaction's, read through the API. */
  csrfOk(req: InternalRequest, id: string): Promise<boolean>;
  /** The same check against details already loaded for this request (saves a store read). */
  formCsrfMatches(req: InternalRequest, d: InteractionDetails): boolean;
  interactionId(req: InternalRequest): string;
  /** The interaction named by the request's `id`, bound to this browser, with the session: loaded once per request. */
  load(req: InternalRequest): Promise<LoadedPage | undefined>;
}

export function createPageKit(ctx: ProviderContext, api: InteractionApi, continueFlow: ContinueFlow, templates?: PageTemplates): PageKit {
  const ui = ctx.config.ui;
  const base = ui.basePath.replace(/\/$/, '');
  const theme: ThemeView = { productName: ui.productName, logoUrl: ui.logoUrl, hasTheme: Object.keys(ui.colors).length > 0, stylesheetUrl: ui.stylesheetUrl };
  const common = (locales?: string, display?: string) => ({
    locale: pickLocale(locales, ui.defaultLocale),
    theme,
    basePath: base,
    ...(display && { display }),
  });
  return {
    ctx,
    api,
    continueFlow,
    templates,
    base,
    common,
    client: (d) => ({ name: d.client.clientName, logoUri: d.client.logoUri, clientUri: d.client.clientUri }),
    renderError: (err, req, status = 400) =>
      page(
        renderPage('error', { ...common(queryLocales(req)), error: err.error, description: err.description, requestId: req.requestId }, templates),
        err.status >= 500 ? err.status : status,
      ),
    expired: (req) =>
      page(
        renderPage(
          'error',
          {
            ...common(),
            error: 'invalid_request',
            description: 'This sign-in request has expired or was started in another browser. Go back to the application and start again.',
            requestId: req.requestId,
          },
          templates,
        ),
        400,
      ),
    csrfOk: (req, id) => api.verifyCsrf(id, req.cookies, single(req.body, 'csrf', 128)),
    formCsrfMatches: (req, d) => {
      const token = single(req.body, 'csrf', 128);
      return token !== undefined && safeEqual(token, d.csrfToken);
    },
    interactionId: (req) => single(req.query, 'id', 64) ?? '',
    load: (req) => loadPage(ctx, single(req.query, 'id', 64) ?? '', req.cookies),
  };
}
