/**
 * Rate limits of the token and authorize endpoints, declared with their
 * routes in routes.ts (`Route.rateLimit`); the dispatcher runs the check
 * before the handler and answers a refusal with 429 and Retry-After: OAuth
 * JSON at the token endpoint, the error page at the authorize endpoint
 * (temporarily_unavailable, RFC 6749 §4.1.2.1).
 */
import type { ProviderContext } from '../context.js';
import { single } from '../core/params.js';
import type { RouteLimit } from '../core/router.js';
import type { InternalRequest } from '../core/types.js';

/** The client_id a token request names (Basic user name or client_id body parameter); not verified. */
function claimedClient(req: InternalRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth && auth.length < 2048 && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      try {
        return decodeURIComponent(decoded.slice(0, colon)).slice(0, 200);
      } catch {
        return undefined;
      }
    }
  }
  return req.body.get('client_id')?.[0]?.slice(0, 200);
}

/** Per address and per claimed client at the token endpoint; undefined when both limits are off (or rate limiting is). */
export function tokenLimit(ctx: ProviderContext, path: string): RouteLimit | undefined {
  const limiter = ctx.rateLimits;
  const rl = ctx.config.rateLimits;
  if (!limiter || (rl.tokenPerIp <= 0 && rl.tokenPerClient <= 0)) return undefined;
  return async (req) =>
    (await limiter.check('token-ip', req.ip, rl.tokenPerIp, path)) || (await limiter.check('token-client', claimedClient(req), rl.tokenPerClient, path));
}

/** Per address and per named client at the authorize endpoint; undefined when both limits are off (or rate limiting is). */
export function authorizeLimit(ctx: ProviderContext, path: string): RouteLimit | undefined {
  const limiter = ctx.rateLimits;
  const rl = ctx.config.rateLimits;
  if (!limiter || (rl.authorizePerIp <= 0 && rl.authorizePerClient <= 0)) return undefined;
  return async (req) => {
    const clientId = single(req.method === 'POST' ? req.body : req.query, 'client_id', 200);
    return (
      (await limiter.check('authorize-ip', req.ip, rl.authorizePerIp, path)) || (await limiter.check('authorize-client', clientId, rl.authorizePerClient, path))
    );
  };
}

/** Per address at the registration endpoint (RFC 7591 §3: unauthenticated when registration is open); undefined when off. */
export function registrationLimit(ctx: ProviderContext, path: string): RouteLimit | undefined {
  const limiter = ctx.rateLimits;
  const perIp = ctx.config.rateLimits.registrationPerIp;
  if (!limiter || perIp <= 0) return undefined;
  return (req) => limiter.check('registration-ip', req.ip, perIp, path);
}
