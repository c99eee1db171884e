/**
 * Rate limits on the token and authorize endpoints, attached to their routes
 * (the dispatcher runs `route.rateLimit` before the handler). Refusals are
 * 429 with Retry-After: OAuth JSON at the token endpoint, the error page at
 * the authorize endpoint (temporarily_unavailable, RFC 6749 §4.1.2.1).
 */
import type { Config } from '../config/schema.js';
import { TemporarilyUnavailable, type OAuthError } from '../errors.js';
import { single } from '../core/params.js';
import type { Route, RouteTable } from '../core/router.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import type { RateLimiter } from './rate-limiter.js';

type ErrorRenderer = (err: OAuthError, route: Route, req: InternalRequest) => InternalResponse;

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

function refusal(render: ErrorRenderer, route: Route, req: InternalRequest, wait: number): InternalResponse {
  const res = render(new TemporarilyUnavailable('too many requests; try again later'), route, req);
  return { ...res, status: 429, headers: { ...res.headers, 'retry-after': String(wait) } };
}

/**
 * Sets `rateLimit` on the token and authorize routes whose limits are on.
 *
 * @example
 * attachRouteLimits(routes, limiter, config, (err, route, req) => dispatcher.errorResponse(err, route, req));
 */
export function attachRouteLimits(routes: RouteTable, limiter: RateLimiter, config: Config, paths: { token: string; authorize: string }, render: ErrorRenderer): void {
  const rl = config.rateLimits;
  const token = routes.get(paths.token);
  if (token && (rl.tokenPerIp > 0 || rl.tokenPerClient > 0)) {
    token.rateLimit = async (req) => {
      const wait = (await limiter.check('token-ip', req.ip, rl.tokenPerIp, paths.token)) || (await limiter.check('token-client', claimedClient(req), rl.tokenPerClient, paths.token));
      return wait ? refusal(render, token, req, wait) : undefined;
    };
  }
  const authorize = routes.get(paths.authorize);
  if (authorize && (rl.authorizePerIp > 0 || rl.authorizePerClient > 0)) {
    authorize.rateLimit = async (req) => {
      const clientId = single(req.method === 'POST' ? req.body : req.query, 'client_id', 200);
      const wait = (await limiter.check('authorize-ip', req.ip, rl.authorizePerIp, paths.authorize)) || (await limiter.check('authorize-client', clientId, rl.authorizePerClient, paths.authorize));
      return wait ? refusal(render, authorize, req, wait) : undefined;
    };
  }
}
