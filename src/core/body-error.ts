/**
 * A request body that could not be read (too large, too slow, malformed),
 * raised by the adapters as a typed error, and its answer: an OAuth error on
 * the route's channel, so a page endpoint shows its error page and a token
 * endpoint answers JSON, with the HTTP status of the failure and the
 * connection closed.
 */
import { InvalidRequest, type OAuthError } from '../errors.js';
import type { Route } from './router.js';
import type { InternalRequest, InternalResponse } from './types.js';

export type BodyFailure = 400 | 408 | 413;

const BODY_ERRORS: Record<BodyFailure, string> = {
  400: 'malformed request body',
  408: 'request body not received in time',
  413: 'request body too large',
};

/** Thrown by an adapter's body reader; `status` is the HTTP status of the answer. */
export class BodyError extends Error {
  constructor(readonly status: BodyFailure) {
    super(BODY_ERRORS[status]);
    this.name = 'BodyError';
  }
}

export type ErrorResponder = (err: OAuthError, route: Route | undefined, req: InternalRequest | undefined) => InternalResponse;

export function bodyErrorResponse(errorResponse: ErrorResponder, route: Route | undefined, status: BodyFailure, request: InternalRequest): InternalResponse {
  const res = errorResponse(new InvalidRequest(BODY_ERRORS[status]), route, request);
  return { ...res, status, headers: { ...res.headers, connection: 'close' } };
}
