/**
 * The route table: the one place every path of the provider is declared,
 * with its methods, body rules, CORS, error channel and rate limit.
 */
import type { ProviderContext } from './context.js';
import type { Route, RouteTable } from './core/router.js';
import type { InternalResponse } from './core/types.js';
import { AUTHORIZE_PARAMETERS, authorizeEndpoint, continueFlow, resumeEndpoint } from './endpoints/authorize/authorize-endpoint.js';
import { AuthorizeFlow, type InteractionUrl } from './endpoints/authorize/authorize-flow.js';
import { checkSessionRoutes } from './endpoints/check-session-endpoint.js';
import { deviceAuthorizationEndpoint, deviceAuthorizationParameters } from './endpoints/device-authorization-endpoint.js';
import { discoveryDocument } from './endpoints/discovery.js';
import { endSessionEndpoint, type LogoutPages } from './endpoints/end-session-endpoint.js';
import { healthRoute } from './endpoints/health-endpoint.js';
import { INITIATE_LOGIN_PARAMETERS, INITIATE_LOGIN_PATH, initiateLoginEndpoint } from './endpoints/initiate-login-endpoint.js';
import { introspectionEndpoint } from './endpoints/introspection-endpoint.js';
import { jwksRoute } from './endpoints/jwks-endpoint.js';
import { REGISTRATION_PATH, registrationEndpoint } from './endpoints/registration-endpoint.js';
import { PAR_PATH, parEndpoint, parParameters } from './endpoints/par-endpoint.js';
import { revocationEndpoint } from './endpoints/revocation-endpoint.js';
import { tokenEndpoint, tokenParameters, tokenStyleParameters } from './endpoints/token-endpoint.js';
import { userinfoEndpoint } from './endpoints/userinfo-endpoint.js';
import { createInteractionApi, type InteractionApi } from './interaction/interaction-api.js';
import type { InteractionOptions } from './interaction/index.js';
import { authorizeLimit, registrationLimit, tokenLimit } from './ratelimit/route-limits.js';
import { backchannelAuthenticationEndpoint, backchannelAuthenticationParameters } from './endpoints/backchannel-authentication-endpoint.js';
import { createUiRoutes, type UiRoutes } from './ui/routes/index.js';
import { deviceRoutes } from './ui/routes/device.js';
import { createPageKit } from './ui/routes/page-kit.js';

/** Paths relative to the issuer. */
export const PATHS = {
  discovery: '/.well-known/openid-configuration',
  oauthMetadata: '/.well-known/oauth-authorization-server',
  jwks: '/.well-known/openid-configuration/jwks',
  authorization: '/connect/authorize',
  token: '/connect/token',
  userinfo: '/connect/userinfo',
  introspection: '/connect/introspect',
  revocation: '/connect/revocation',
  endSession: '/connect/endsession',
  checkSession: '/connect/checksession',
  initiateLogin: INITIATE_LOGIN_PATH,
  backchannelAuthentication: '/connect/ciba',
  deviceAuthorization: '/connect/deviceauthorization',
  registration: REGISTRATION_PATH,
  health: '/health',
  par: PAR_PATH,
} as const;

const encoder = new TextEncoder();

/** A cached JSON response rebuilt by `rebuild()`; served without touching the request. */
export function staticJson(build: () => unknown, maxAge: number): { route: Route; rebuild: () => void } {
  let response: InternalResponse;
  const rebuild = () => {
    const body = encoder.encode(JSON.stringify(build()));
    response = {
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(body.byteLength),
        'cache-control': `public, max-age=${maxAge}`,
      },
      body,
    };
  };
  rebuild();
  return { route: { methods: ['GET'], cors: true, staticResponse: () => response }, rebuild };
}

/** What the interactive routes are built from (endpoints/authorize, ui/routes). */
export interface InteractiveParts {
  flow: AuthorizeFlow;
  /** The built-in pages (login, consent, home, sign-out, assets) under `ui.basePath`. */
  pages: RouteTable;
  /** The pages the end-session endpoint shows. */
  logoutPages: LogoutPages;
}

/**
 * The interactive part: the authorize flow, the interaction API and the
 * built-in pages (which continue the flow in the request that completes the
 * interaction: the browser is spared the redirect to the resume endpoint that
 * a host app's pages go through, and the store a write and a read).
 */
export function interactiveParts(
  ctx: ProviderContext,
  options: InteractionOptions = {},
): InteractiveParts & { api: InteractionApi; renderErrorPage: UiRoutes['renderError'] } {
  const base = ctx.config.ui.basePath.replace(/\/$/, '');
  const interactionUrl: InteractionUrl = options.interactionUrl ?? ((kind, id) => `${ctx.issuer}${base}/${kind}?id=${id}`);
  const flow = new AuthorizeFlow(ctx, interactionUrl);
  const api = createInteractionApi(ctx);
  const proceed = continueFlow(flow, ctx);
  const ui = createUiRoutes(ctx, api, proceed, options.templates);
  // RFC 8628 §3.3: the device verification page starts the authorization flow itself (ui/routes/device.ts).
  const device = deviceRoutes(createPageKit(ctx, api, proceed, options.templates), (req, client, request) => flow.proceed(req, client, request));
  return { flow, pages: new Map([...ui.routes, ...device]), logoutPages: ui, api, renderErrorPage: ui.renderError.bind(ui) };
}

/** Route groups declared elsewhere: operational (health, metrics), the demo's test API. */
export interface RouteGroups {
  interactive: InteractiveParts;
  operational: RouteTable;
  testApi: RouteTable;
  /** The admin API (admin/admin-routes.ts): empty unless `admin.enabled`. */
  admin?: RouteTable;
}

export function buildRoutes(ctx: ProviderContext, groups: RouteGroups): { routes: RouteTable; rebuildDiscovery: () => void } {
  const { flow, pages, logoutPages } = groups.interactive;
  const discovery = staticJson(() => discoveryDocument(ctx, { interactive: true }), 3600);
  const routes: RouteTable = new Map<string, Route>([
    [PATHS.discovery, discovery.route],
    [PATHS.oauthMetadata, discovery.route],
    [PATHS.jwks, jwksRoute(ctx)],
    [PATHS.token, { methods: ['POST'], form: true, cors: true, handle: tokenEndpoint, parameters: tokenParameters, rateLimit: tokenLimit(ctx, PATHS.token) }],
    // RFC 8628 §3.1: client authentication as at the token endpoint, and its rate limits.
    [
      PATHS.deviceAuthorization,
      {
        methods: ['POST'],
        form: true,
        cors: true,
        handle: deviceAuthorizationEndpoint,
        parameters: deviceAuthorizationParameters,
        rateLimit: tokenLimit(ctx, PATHS.deviceAuthorization),
      },
    ],
    [PATHS.introspection, { methods: ['POST'], form: true, handle: introspectionEndpoint, parameters: tokenStyleParameters('introspection') }],
    [PATHS.revocation, { methods: ['POST'], form: true, cors: true, handle: revocationEndpoint, parameters: tokenStyleParameters('revocation') }],
    [
      PATHS.backchannelAuthentication,
      {
        methods: ['POST'],
        form: true,
        handle: backchannelAuthenticationEndpoint,
        parameters: backchannelAuthenticationParameters,
        rateLimit: tokenLimit(ctx, PATHS.backchannelAuthentication),
      },
    ],
    [PATHS.health, healthRoute()],
    // RFC 9126: client authentication and rate limits as at the token endpoint.
    ...(ctx.config.pushedAuthorization.enabled
      ? [
          [
            PATHS.par,
            { methods: ['POST'], form: true, cors: true, handle: parEndpoint, parameters: parParameters, rateLimit: tokenLimit(ctx, PATHS.par) },
          ] as const,
        ]
      : []),
    ...groups.operational,
    ...pages,
    [
      PATHS.authorization,
      {
        methods: ['GET', 'POST'],
        form: true,
        channel: 'html',
        handle: authorizeEndpoint(flow),
        parameters: AUTHORIZE_PARAMETERS,
        rateLimit: authorizeLimit(ctx, PATHS.authorization),
      },
    ],
    [`${PATHS.authorization}/resume`, { methods: ['GET'], channel: 'html', handle: resumeEndpoint(flow) }],
    [PATHS.userinfo, { methods: ['GET', 'POST'], cors: true, channel: 'bearer', handle: userinfoEndpoint }],
    [PATHS.initiateLogin, { methods: ['GET'], channel: 'html', handle: initiateLoginEndpoint, parameters: INITIATE_LOGIN_PARAMETERS }],
    [PATHS.endSession, { methods: ['GET', 'POST'], form: true, channel: 'html', handle: endSessionEndpoint(logoutPages) }],
    ...(ctx.config.authentication.checkSession ? checkSessionRoutes(PATHS.checkSession, ctx.issuer.startsWith('https:')) : []),
    ...groups.testApi,
    ...(groups.admin ?? []),
  ]);
  // RFC 7591 §3 registration and RFC 7592 client configuration (registration_client_uri: the same path with ?client_id=).
  if (ctx.config.registration.enabled) {
    const handle = registrationEndpoint(ctx);
    routes.set(PATHS.registration, { methods: ['POST', 'GET', 'PUT', 'DELETE'], json: true, handle, rateLimit: registrationLimit(ctx, PATHS.registration) });
  }
  return { routes, rebuildDiscovery: discovery.rebuild };
}
