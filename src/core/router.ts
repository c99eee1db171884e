/** Routes: one entry per endpoint path, with its methods and body rules. */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, InternalResponse } from './types.js';

export interface Route {
  /** Methods answered; anything else is 405 with `Allow`. */
  methods: readonly string[];
  /** POST bodies must be application/x-www-form-urlencoded. */
  form?: boolean;
  /** Answer CORS for the configured client origins (endpoints browsers call). */
  cors?: boolean;
  /** Error channel for failures before the handler runs. */
  channel?: 'json' | 'html' | 'bearer';
  /** A response that needs no request at all (discovery, JWKS): the fast path. */
  staticResponse?: () => InternalResponse;
  handle?: (req: InternalRequest, ctx: ProviderContext) => Promise<InternalResponse>;
  /** Rate-limit check run before `handle` (ratelimit/route-limits.ts); a response means refused. */
  rateLimit?: (req: InternalRequest) => Promise<InternalResponse | undefined>;
}

export type RouteTable = Map<string, Route>;
