/**
 * Compiles the parsed configuration into the lookup structures request
 * handlers use: clients by id with ready sets, resources by name and scope.
 */
import type { ClientRegistry } from '../context.js';
import type { ApiResource, ApiScope, Client, IdentityResource, Resources } from '../model/types.js';
import type { ClientConfig, Config, TokenEndpointAuthMethod } from './schema.js';
import { resolveIdentityResource } from './standard-resources.js';

/**
 * The token endpoint authentication methods of a client: explicit
 * `tokenEndpointAuthMethods` win; a public client uses `none`; otherwise
 * secrets allow client_secret_basic/post, a SymmetricKey secret also
 * client_secret_jwt (RFC 7523 §2.2), and keys private_key_jwt.
 *
 * @example authMethodsOf({ ...client, requireClientSecret: false }) // Set { 'none' }
 */
const TLS_SUBJECT_FIELDS = ['tlsClientAuthSubjectDn', 'tlsClientAuthSanDns', 'tlsClientAuthSanUri', 'tlsClientAuthSanIp', 'tlsClientAuthSanEmail'] as const;

export function authMethodsOf(client: ClientConfig): Set<TokenEndpointAuthMethod> {
  if (client.tokenEndpointAuthMethods) return new Set(client.tokenEndpointAuthMethods);
  if (!client.requireClientSecret) return new Set(['none']);
  const methods = new Set<TokenEndpointAuthMethod>();
  if (client.clientSecrets.length > 0) methods.add('client_secret_basic').add('client_secret_post');
  if (client.clientSecrets.some((s) => s.type === 'SymmetricKey')) methods.add('client_secret_jwt');
  if (client.jwks !== undefined || client.jwksUri !== undefined) methods.add('private_key_jwt');
  // RFC 8705 §2.1.2: a registered certificate subject selects tls_client_auth; self_signed_tls_client_auth is only ever explicit.
  if (TLS_SUBJECT_FIELDS.some((f) => client[f] !== undefined)) methods.add('tls_client_auth');
  return methods;
}

/** An origin as browsers send it in the Origin header: lower-case host, no default port, no trailing slash. */
function normaliseOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin.replace(/\/$/, '');
  }
}

/** One client with its lookup sets. */
export function compileClient(client: ClientConfig): Client {
  const authMethods = authMethodsOf(client);
  // A client that may only use `none` is public whatever requireClientSecret says.
  const isPublic = !client.requireClientSecret || (authMethods.size === 1 && authMethods.has('none'));
  return {
    ...client,
    authMethods,
    isPublic,
    // Opt-in (default 0: a reused token is refused, as IdentityServer does). RFC 9700 §4.14.2: only a
    // confidential client's refresh tokens are bound to its credentials, so only there may a short
    // retry after a lost response be allowed; a public client always keeps strict reuse detection.
    refreshTokenRetryWindow: isPublic ? 0 : (client.refreshTokenRetryWindow ?? 0),
    grantTypeSet: new Set(client.allowedGrantTypes),
    scopeSet: new Set(client.allowedScopes),
    redirectUriSet: new Set(client.redirectUris),
    corsOriginSet: new Set(client.allowedCorsOrigins.map(normaliseOrigin)),
  };
}

/**
 * The client registry. `find` answers enabled clients only (a disabled client
 * is as if unknown); `all` lists every configured client.
 *
 * @example compileClients(config).find('m2m')?.authMethods.has('client_secret_basic') // true
 */
export function compileClients(config: Pick<Config, 'clients'>): ClientRegistry {
  const all = config.clients.map(compileClient);
  const byId = new Map(all.filter((c) => c.enabled).map((c) => [c.clientId, c]));
  return { find: (clientId) => byId.get(clientId), all: () => all };
}

/**
 * Identity resources, API scopes and API resources by name (enabled ones
 * only), and the API resources that list each API scope (the audiences of a
 * token carrying that scope).
 *
 * @example compileResources(config).resourcesByScope.get('api')?.map((r) => r.name) // ['api']
 */
export function compileResources(config: Pick<Config, 'identityResources' | 'apiScopes' | 'apiResources'>): Resources {
  const identity = new Map<string, IdentityResource>();
  for (const entry of config.identityResources) {
    const resource = resolveIdentityResource(entry);
    if (resource.enabled) identity.set(resource.name, resource);
  }
  const apiScopes = new Map<string, ApiScope>(config.apiScopes.filter((s) => s.enabled).map((s) => [s.name, s]));
  const apiResources = new Map<string, ApiResource>(config.apiResources.filter((r) => r.enabled).map((r) => [r.name, r]));
  const resourcesByScope = new Map<string, ApiResource[]>();
  for (const scope of apiScopes.keys()) resourcesByScope.set(scope, []);
  for (const resource of apiResources.values()) {
    for (const scope of resource.scopes) resourcesByScope.get(scope)?.push(resource);
  }
  return { identity, apiScopes, apiResources, resourcesByScope };
}
