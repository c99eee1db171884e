/** The route table: every endpoint path of the provider. */
import type { ProviderContext } from './context.js';
import { discoveryDocument } from './endpoints/discovery.js';
import { introspectionEndpoint } from './endpoints/introspection-endpoint.js';
import { revocationEndpoint } from './endpoints/revocation-endpoint.js';
import { tokenEndpoint } from './endpoints/token-endpoint.js';
import type { Route, RouteTable } from './core/router.js';
import { jsonResponse, type InternalResponse } from './core/types.js';

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
  health: '/health',
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

export function buildRoutes(
  ctx: ProviderContext,
  extra: RouteTable,
  interactive: boolean,
): { routes: RouteTable; rebuildDiscovery: () => void } {
  const routes: RouteTable = new Map();
  const discovery = staticJson(() => discoveryDocument(ctx, { interactive }), 3600);
  const jwksRoute = (): Route => {
    let response: InternalResponse | undefined;
    ctx.keys.onChange(() => (response = undefined));
    return {
      methods: ['GET'],
      cors: true,
      staticResponse: () =>
        (response ??= {
          status: 200,
          headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
          body: ctx.keys.jwksBytes(),
        }),
    };
  };
  routes.set(PATHS.discovery, discovery.route);
  routes.set(PATHS.oauthMetadata, discovery.route);
  routes.set(PATHS.jwks, jwksRoute());
  routes.set(PATHS.token, { methods: ['POST'], form: true, cors: true, handle: tokenEndpoint });
  routes.set(PATHS.introspection, { methods: ['POST'], form: true, handle: introspectionEndpoint });
  routes.set(PATHS.revocation, { methods: ['POST'], form: true, cors: true, handle: revocationEndpoint });
  routes.set(PATHS.health, {
    methods: ['GET'],
    handle: async () => jsonResponse({ status: 'ok' }, 200, { 'cache-control': 'no-store' }),
  });
  for (const [path, route] of extra) routes.set(path, route);
  return { routes, rebuildDiscovery: discovery.rebuild };
}
