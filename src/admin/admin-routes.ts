/**
 * The admin API's routes (docs/admin-api.md): `{base}/openapi.json` as ready
 * bytes, and one prefix route `{base}/*` whose handler checks the token,
 * then hands the request to its resource. Mounted by the provider only when
 * `admin.enabled`; the other routes do no work for it (the dispatcher looks
 * at prefix routes only for a path no exact route serves).
 */
import type { ProviderContext } from '../context.js';
import type { RouteTable } from '../core/router.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import type { FetchLike } from '../resource-server/types.js';
import { MemoryAuditLog } from '../stores/memory-audit-log.js';
import { adminAuth } from './admin-auth.js';
import { auditResource } from './audit-resource.js';
import { clientsResource } from './clients-resource.js';
import { keysResource, sessionsResource, usersResource } from './operations-resources.js';
import { adminOpenApi } from './openapi.js';
import { AdminProblem, notFound, problemResponse } from './problem.js';

/** Route table key of a prefix route: the dispatcher serves every path under it (core/dispatcher.ts). */
export const prefixKey = (base: string): string => `${base}/*`;

function segments(req: InternalRequest, base: string): string[] {
  try {
    return req.path
      .slice(base.length + 1)
      .split('/')
      .filter((s, i, all) => s !== '' || i < all.length - 1)
      .map(decodeURIComponent);
  } catch {
    throw new AdminProblem(400, 'Bad Request', 'the path is not valid percent-encoding');
  }
}

/** The admin routes when `admin.enabled` (empty otherwise); `ownFetch` is the provider's fetch handler (token checks). */
export function adminRoutes(ctx: ProviderContext, ownFetch: FetchLike): RouteTable {
  const routes: RouteTable = new Map();
  const cfg = ctx.config.admin;
  if (!cfg.enabled) return routes;
  const base = cfg.basePath;
  const auth = adminAuth(ctx, ownFetch);
  const log = ctx.backend.auditLog ?? new MemoryAuditLog();
  const clients = clientsResource(ctx, log);
  const audit = auditResource(log, cfg.pageSize, cfg.maxPageSize);
  const others = new Map([
    ['users', usersResource(ctx, log)],
    ['sessions', sessionsResource(ctx, log)],
    ['keys', keysResource(ctx, log)],
  ]);
  const openapi = new TextEncoder().encode(JSON.stringify(adminOpenApi(ctx.issuer + base, ctx.endpoints.token)));
  routes.set(`${base}/openapi.json`, {
    methods: ['GET'],
    staticResponse: () => ({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(openapi.byteLength), 'cache-control': 'public, max-age=3600' },
      body: openapi,
    }),
  });
  routes.set(prefixKey(base), {
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    json: true,
    async handle(req): Promise<InternalResponse> {
      try {
        const [resource, ...rest] = segments(req, base);
        const access = await auth.check(req, req.method !== 'GET');
        if (!access.ok) return access.response;
        if (resource === 'clients') return await clients.handle(req, rest, access.auth);
        if (resource === 'audit') return await audit.handle(req, rest);
        const other = others.get(resource);
        if (other) return await other(req, rest, access.auth);
        throw notFound(`no such resource ${req.path}`);
      } catch (e) {
        if (e instanceof AdminProblem) return problemResponse(e, req.path);
        throw e;
      }
    },
  });
  return routes;
}
