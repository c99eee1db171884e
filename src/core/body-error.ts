/**
 * The answer to a request whose body could not be read (too large, too slow,
 * malformed): an OAuth error on the route's channel, so a page endpoint shows
 * its error page and a token endpoint answers JSON, with the HTTP status of
 * the failure and the connection closed.
 */
import { InvalidRequest } from '../errors.js';
import type { Dispatcher } from './dispatcher.js';
import type { Route } from './router.js';
import type { InternalRequest, InternalResponse } from './types.js';

const BODY_ERRORS: Record<number, string> = {
  400: 'malformed request body',
  408: 'request body not received in time',
  413: 'request body too large',
};

export function bodyErrorResponse(dispatcher: Dispatcher, route: Route | undefined, status: number, request: () => InternalRequest): InternalResponse {
  const res = dispatcher.errorResponse(new InvalidRequest(BODY_ERRORS[status] ?? 'malformed request'), route, request());
  return { ...res, status, headers: { ...res.headers, connection: 'close' } };
}
