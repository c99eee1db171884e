/**
 * The redirect URI validator (IdentityServer's IRedirectUriValidator). The
 * default is exact string matching plus RFC 8252 §7.3 loopback ports
 * (model/redirect-uri.ts); a host may replace it, e.g. for per-tenant
 * hosts. Whatever it accepts is where codes and errors are sent: keep it strict.
 */
import type { Client } from '../model/types.js';
import { isRegisteredRedirectUri, matchesRegisteredUri } from '../model/redirect-uri.js';

/**
 * Decides whether a redirect URI may be used by a client.
 *
 * @example
 * const redirectUriValidator: RedirectUriValidator = {
 *   isRedirectUriValid: (uri, client) =>
 *     defaultRedirectUriValidator.isRedirectUriValid(uri, client) || /^https:\/\/[a-z0-9-]+\.tenants\.example\.com\/callback$/.test(uri),
 *   isPostLogoutRedirectUriValid: defaultRedirectUriValidator.isPostLogoutRedirectUriValid,
 * };
 */
export interface RedirectUriValidator {
  /** For the authorization request's `redirect_uri`. */
  isRedirectUriValid(uri: string, client: Client): boolean | Promise<boolean>;
  /** For the end-session request's `post_logout_redirect_uri`. */
  isPostLogoutRedirectUriValid(uri: string, client: Client): boolean | Promise<boolean>;
}

export const defaultRedirectUriValidator: RedirectUriValidator = {
  isRedirectUriValid: (uri, client) => isRegisteredRedirectUri(client, uri),
  isPostLogoutRedirectUriValid: (uri, client) => matchesRegisteredUri(client.postLogoutRedirectUris, uri),
};
