/**
 * The JWKS endpoint (RFC 7517 §5, OIDC Discovery `jwks_uri`): the public
 * signing keys, served as a static response rebuilt when the keys change.
 */
import type { ProviderContext } from '../context.js';
import type { Route } from '../core/router.js';
import type { InternalResponse } from '../core/types.js';

export function jwksRoute(ctx: ProviderContext): Route {
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
}
