/** The interactive part of the provider: authorize, resume, userinfo, end session and the built-in pages. */
import type { ProviderContext } from '../context.js';
import { checkSessionRoutes } from '../endpoints/check-session-endpoint.js';
import { endSessionEndpoint } from '../endpoints/end-session-endpoint.js';
import { userinfoEndpoint } from '../endpoints/userinfo-endpoint.js';
import type { RouteTable } from '../core/router.js';
import { PATHS } from '../routes.js';
import type { PageTemplates } from '../ui/index.js';
import { authorizeEndpoint, continueFlow, resumeEndpoint } from '../endpoints/authorize/authorize-endpoint.js';
import { AuthorizeFlow, type InteractionUrl } from '../endpoints/authorize/authorize-flow.js';
import { createInteractionApi, type InteractionApi } from './interaction-api.js';
import { createUiRoutes, type UiRoutes } from '../ui/routes/index.js';

export type { InteractionApi, InteractionDetails, CookieSource, ScopeInfo } from './interaction-api.js';
export type { LoginResult, ConsentResult, InteractionKind } from './interaction-store.js';
export type { InteractionUrl } from '../endpoints/authorize/authorize-flow.js';

export interface InteractionOptions {
  /** Where login/consent pages live; default the built-in pages under `ui.basePath`. */
  interactionUrl?: InteractionUrl;
  /** Custom page templates for the built-in pages. */
  templates?: PageTemplates;
}

export function createInteractionLayer(ctx: ProviderContext, options: InteractionOptions = {}): { routes: RouteTable; api: InteractionApi; renderErrorPage: UiRoutes['renderError'] } {
  const base = ctx.config.ui.basePath.replace(/\/$/, '');
  const interactionUrl: InteractionUrl = options.interactionUrl ?? ((kind, id) => `${ctx.issuer}${base}/${kind}?id=${id}`);
  const flow = new AuthorizeFlow(ctx, interactionUrl);
  const api = createInteractionApi(ctx);
  const resume = resumeEndpoint(flow);
  // The built-in pages continue the flow in the request that completes the
  // interaction: the browser is spared the redirect to the resume endpoint
  // that a host app's pages go through, and the store a write and a read.
  const ui = createUiRoutes(ctx, api, continueFlow(flow, ctx), options.templates);
  const routes: RouteTable = new Map(ui.routes);
  routes.set(PATHS.authorization, { methods: ['GET', 'POST'], form: true, channel: 'html', handle: authorizeEndpoint(flow) });
  routes.set(`${PATHS.authorization}/resume`, { methods: ['GET'], channel: 'html', handle: resume });
  routes.set(PATHS.userinfo, { methods: ['GET', 'POST'], cors: true, channel: 'bearer', handle: userinfoEndpoint });
  routes.set(PATHS.endSession, { methods: ['GET', 'POST'], form: true, channel: 'html', handle: endSessionEndpoint(ui) });
  if (ctx.config.authentication.checkSession) for (const [path, route] of checkSessionRoutes(PATHS.checkSession, ctx.issuer.startsWith('https:'))) routes.set(path, route);
  return { routes, api, renderErrorPage: ui.renderError };
}
