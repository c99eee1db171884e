/**
 * The demo's protected test API (`testApi` in the configuration; on in
 * config/demo.json): `GET {issuer}/api/test` answers the token's claims as
 * `[{ type, value }]`, as IdentityServer's demo API does, and
 * `{issuer}/.well-known/oauth-protected-resource/api/test` its RFC 9728
 * metadata. It runs inside the provider but validates tokens like any
 * outside API: through the resource-server middleware, whose metadata and
 * JWKS requests go to the provider's own fetch handler (no network).
 */
import type { ProviderContext } from '../context.js';
import type { RouteTable } from '../core/router.js';
import { jsonResponse, type InternalResponse } from '../core/types.js';
import { protectedResourceMetadata } from './protected-resource-metadata.js';
import type { ResourceServer } from './resource-server.js';
import type { FetchLike, ProofVerifier } from './types.js';
import type { DpopContext } from '../proof/dpop-context.js';
import type { dpopVerifier as DpopVerifierFactory } from './dpop-verifier.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** Claim values as strings, one entry per array element and per scope. */
export function claimList(claims: Record<string, unknown>): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  for (const [type, value] of Object.entries(claims)) {
    const values = type === 'scope' && typeof value === 'string' ? value.split(' ').filter(Boolean) : Array.isArray(value) ? value : [value];
    for (const v of values) out.push({ type, value: typeof v === 'string' ? v : JSON.stringify(v) });
  }
  return out;
}

/** The demo API's DPoP verifier, with the provider's algorithms, proof lifetime and replay store (shared by every node). */
function testApiDpopVerifier(ctx: ProviderContext, dpop: DpopContext, make: typeof DpopVerifierFactory): ProofVerifier {
  const s = dpop.settings;
  return make({
    algorithms: s.algorithms,
    proofMaxAge: s.proofMaxAge,
    clockTolerance: s.clockTolerance,
    replayStore: dpop.replay,
    clock: () => ctx.clock.now(),
  });
}

/** The test API's routes when `testApi.enabled`; `ownFetch` is the provider's fetch handler. */
export function testApiRoutes(ctx: ProviderContext, ownFetch: FetchLike): RouteTable {
  const routes: RouteTable = new Map();
  const cfg = ctx.config.testApi;
  if (!cfg.enabled) return routes;
  const issuer = ctx.issuer;
  const metadataPath = WELL_KNOWN + cfg.path;
  const meta = protectedResourceMetadata({
    resource: issuer + cfg.path,
    authorizationServers: [issuer],
    scopesSupported: [cfg.scope],
    resourceName: 'Gatehouse test API',
  });
  // The API resources holding the scope are the audience; so is `{issuer}/resources`, the audience
  // of tokens that name no API resource, so that such a token is answered 403 insufficient_scope.
  // Its own URL too: a token requested with resource={issuer}{path} (RFC 8707) has that audience (test-api-resource.ts).
  const audience = [...ctx.config.apiResources.filter((r) => r.scopes.includes(cfg.scope)).map((r) => r.name), `${issuer}/resources`, issuer + cfg.path];
  // The middleware's modules are loaded on the first API request, not at start (docs/benchmarks.md
  // "Memory"); the instance is this provider's own.
  let rs: Promise<ResourceServer> | undefined;
  const resourceServer = () =>
    (rs ??= Promise.all([import('./resource-server.js'), import('./dpop-verifier.js')]).then(([{ createResourceServer }, { dpopVerifier }]) =>
      createResourceServer({
        issuer,
        audience,
        scopes: [cfg.scope],
        fetch: ownFetch,
        clock: () => ctx.clock.now(),
        resourceMetadataUrl: issuer + metadataPath,
        allowInsecureHttp: true,
        // RFC 9449 §7: DPoP-bound tokens need a proof; its jti goes to the provider's shared replay store.
        proof: ctx.dpop && ctx.config.dpop.enabled ? [testApiDpopVerifier(ctx, ctx.dpop, dpopVerifier)] : [],
      }),
    ));
  const metadataBody = new TextEncoder().encode(JSON.stringify(meta.document));
  routes.set(cfg.path, {
    methods: ['GET'],
    cors: true,
    async handle(req): Promise<InternalResponse> {
      const result = await (await resourceServer()).verify({ method: req.method, url: req.url.href, headers: req.headers });
      if (!result.ok) return { status: result.failure.status, headers: result.failure.headers, body: result.failure.body };
      return jsonResponse(claimList(result.auth.claims), 200, { 'cache-control': 'no-store' });
    },
  });
  routes.set(metadataPath, {
    methods: ['GET'],
    cors: true,
    staticResponse: () => ({
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(metadataBody.byteLength),
        'cache-control': 'public, max-age=3600',
      },
      body: metadataBody,
    }),
  });
  return routes;
}
