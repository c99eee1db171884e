/**
 * The custom authorize request validator (IdentityServer's
 * ICustomAuthorizeRequestValidator): runs after the built-in checks of an
 * authorization request, once the client and redirect URI are verified. It
 * may refuse the request by throwing an OAuthError (sent to the client's
 * redirect URI like any other error of this phase) or annotate it; the
 * annotations travel with the request through the login and consent pages
 * (`interactions.details(...)`).
 */
import type { Params } from '../core/types.js';
import type { AuthorizationRequest } from '../model/authorization-request.js';
import type { Client } from '../model/types.js';

export interface AuthorizeRequestContext {
  client: Client;
  /** The validated request (read-only). */
  request: Readonly<AuthorizationRequest>;
  /** Every parameter as sent (repeats kept), for extension parameters. */
  params: Params;
}

/**
 * @example
 * const authorizeRequestValidator: CustomAuthorizeRequestValidator = {
 *   validate({ client, params }) {
 *     const tenant = params.get('tenant')?.[0];
 *     if (client.clientId === 'partner' && !tenant) throw new InvalidRequest('tenant is required');
 *     return { annotations: { tenant } };
 *   },
 * };
 */
export interface CustomAuthorizeRequestValidator {
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a host's validator may return nothing (an inferred `void` function must fit)
  validate(context: AuthorizeRequestContext): void | { annotations?: Record<string, unknown> } | Promise<void | { annotations?: Record<string, unknown> }>;
}
