/** Routes: one entry per endpoint path, with its methods and body rules. */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, InternalResponse } from './types.js';
import type { ParameterDeclaration } from './parameters.js';

export interface Route {
  /** Methods answered; anything else is 405 with `Allow`. */
  methods: readonly string[];
  /** POST bodies must be application/x-www-form-urlencoded. */
  form?: boolean;
  /** The body is JSON (POST and PUT read it into `InternalRequest.text`, not into form parameters). */
  json?: boolean;
  /** Answer CORS for the configured client origins (endpoints browsers call). */
  cors?: boolean;
  /** Error channel for failures before the handler runs. */
  channel?: 'json' | 'html' | 'bearer';
  /** A response that needs no request at all (discovery, JWKS): the fast path. */
  staticResponse?: () => InternalResponse;
  /** The parameters the route reads, checked before `handle` (core/parameters.ts); a function when it depends on the request (the token endpoint's grant). */
  parameters?: ParameterDeclaration | ((req: InternalRequest, ctx: ProviderContext) => ParameterDeclaration);
  handle?: (req: InternalRequest, ctx: ProviderContext) => Promise<InternalResponse>;
  /** Rate limit checked before `handle` (declared in routes.ts, ratelimit/route-limits.ts); refused is 429 on the route's channel. */
  rateLimit?: RouteLimit;
}

/** Seconds to wait before the request may be served; 0 when allowed. */
export type RouteLimit = (req: InternalRequest) => Promise<number>;

export type RouteTable = Map<string, Route>;
