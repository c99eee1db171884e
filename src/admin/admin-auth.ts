/**
 * Who may call the admin API: a Gatehouse access token for the
 * `gatehouse.admin` API resource, checked by the resource-server middleware
 * (as any outside API would: its JWKS and metadata come from this provider's
 * own fetch handler, no network). Reads need `gatehouse.admin.read` or
 * `gatehouse.admin`; writes need `gatehouse.admin` (RFC 6750 §3.1
 * insufficient_scope otherwise).
 */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import type { ResourceServer } from '../resource-server/resource-server.js';
import type { AccessTokenInfo, FetchLike } from '../resource-server/types.js';
import { ADMIN_READ_SCOPE, ADMIN_RESOURCE, ADMIN_SCOPE } from './admin-resource.js';

export type AdminAccess = { ok: true; auth: AccessTokenInfo } | { ok: false; response: InternalResponse };

export interface AdminAuth {
  check(req: InternalRequest, write: boolean): Promise<AdminAccess>;
}

export function adminAuth(ctx: ProviderContext, ownFetch: FetchLike): AdminAuth {
  // Tokens naming no API resource have the audience `{issuer}/resources`: accepted as tokens
  // for this API, so that they are answered 403 insufficient_scope rather than 401.
  const audience = [ADMIN_RESOURCE, `${ctx.issuer}/resources`];
  let rs: Promise<ResourceServer> | undefined;
  // Loaded on the first admin request, not at start: the protocol endpoints pay nothing for it.
  const server = () =>
    (rs ??= import('../resource-server/resource-server.js').then(({ createResourceServer }) =>
      createResourceServer({ issuer: ctx.issuer, audience, fetch: ownFetch, clock: () => ctx.clock.now(), allowInsecureHttp: true, realm: 'gatehouse-admin' }),
    ));
  const refusal = (failure: { status: number; headers: Record<string, string>; body: string }): AdminAccess => ({
    ok: false,
    response: { status: failure.status, headers: { ...failure.headers, 'cache-control': 'no-store' }, body: failure.body },
  });
  return {
    async check(req, write) {
      const rsv = await server();
      const request = { method: req.method, url: req.url.href, headers: req.headers };
      const result = await rsv.verify(request);
      if (!result.ok) return refusal(result.failure);
      const scopes = result.auth.scopes;
      if (scopes.includes(ADMIN_SCOPE) || (!write && scopes.includes(ADMIN_READ_SCOPE))) return result;
      // The refusal with the scope this request needs, in the middleware's own format.
      const again = await rsv.verify(request, { scopes: [ADMIN_SCOPE] });
      return again.ok ? result : refusal(again.failure);
    },
  };
}
