/**
 * From validated client metadata to a client definition (the configuration's
 * `clients[]` shape), under the registration policy: RFC 7591 §2 defaults and
 * consistency rules, OpenID Connect Registration 1.0 §2, and the server's
 * policy (grants, scopes, auth methods, redirect URIs).
 */
import type { ClientDefinition } from '../extensions/client-store.js';
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors.js';
import type { ClientMetadata } from './client-metadata.js';
import type { RedirectUriPolicy } from './redirect-uri-policy.js';

/** What the policy checks against. */
export interface RegistrationRules {
  /** Grant types a registration may ask for (the policy's, and known to the server). */
  allowedGrantTypes: ReadonlySet<string>;
  /** Grant types the server has at all: another one is "unknown". */
  knownGrantTypes: ReadonlySet<string>;
  allowedScopes: readonly string[];
  /** Scopes the server has (identity and API scopes). */
  knownScopes: ReadonlySet<string>;
  allowedAuthMethods: ReadonlySet<string>;
  /** JWS algorithms of the server's keys (id_token_signed_response_alg and the like must be one). */
  signingAlgorithms: ReadonlySet<string>;
  redirectUris: RedirectUriPolicy;
  requireConsent: boolean;
}

/** The registered metadata (RFC 7591 §3.2.1: "all registered metadata about the client") and the client it makes. */
export interface BuiltClient {
  metadata: ClientMetadata & Required<Pick<ClientMetadata, 'grant_types' | 'response_types' | 'token_endpoint_auth_method' | 'scope'>>;
  definition: ClientDefinition;
  /** The client authenticates with a shared secret (one must be issued). */
  needsSecret: boolean;
}

const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post']);

function fail(path: string, message: string): never {
  throw new InvalidClientMetadata(`$.${path}: ${message}`);
}

function checkGrants(m: ClientMetadata, rules: RegistrationRules): { grants: string[]; responseTypes: string[] } {
  // RFC 7591 §2: grant_types defaults to authorization_code, response_types to code.
  const grants = [...new Set(m.grant_types ?? ['authorization_code'])];
  grants.forEach((g, i) => {
    if (!rules.knownGrantTypes.has(g)) fail(`grant_types[${i}]`, `unknown grant type ${JSON.stringify(g.slice(0, 100))}`);
    if (!rules.allowedGrantTypes.has(g)) fail(`grant_types[${i}]`, `grant type ${g} is not allowed for registered clients`);
  });
  const code = grants.includes('authorization_code');
  const responseTypes = [...new Set(m.response_types ?? (code ? ['code'] : []))];
  responseTypes.forEach((r, i) => {
    if (r !== 'code') fail(`response_types[${i}]`, `unsupported response type ${JSON.stringify(r.slice(0, 100))}`);
  });
  // RFC 7591 §2.1: code goes with authorization_code (and the other way round).
  if (responseTypes.includes('code') !== code) fail('response_types', 'response type code and grant type authorization_code go together (RFC 7591 §2.1)');
  if (grants.includes('refresh_token') && grants.length === 1) fail('grant_types', 'refresh_token needs a grant that issues refresh tokens');
  return { grants, responseTypes };
}

function checkAuthMethod(m: ClientMetadata, grants: string[], rules: RegistrationRules): string {
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!rules.allowedAuthMethods.has(method)) fail('token_endpoint_auth_method', `${JSON.stringify(method.slice(0, 64))} is not supported`);
  if (method === 'private_key_jwt' && !m.jwks && !m.jwks_uri) fail('token_endpoint_auth_method', 'private_key_jwt needs jwks or jwks_uri');
  if (method === 'none' && grants.includes('client_credentials')) fail('grant_types', 'client_credentials needs a confidential client (RFC 6749 §4.4)');
  return method;
}

function checkRedirects(m: ClientMetadata, grants: string[], rules: RegistrationRules, anonymous: boolean): void {
  const uris = m.redirect_uris ?? [];
  // OpenID Connect Registration 1.0 §2: redirect_uris is required for redirect-based flows.
  if (grants.includes('authorization_code') && uris.length === 0) throw new InvalidRedirectUri('$.redirect_uris: at least one redirect URI is required');
  uris.forEach((uri, i) => {
    const problem = rules.redirectUris.problem(uri, anonymous);
    if (problem) throw new InvalidRedirectUri(`$.redirect_uris[${i}]: ${problem}`);
  });
  (m.post_logout_redirect_uris ?? []).forEach((uri, i) => {
    const problem = rules.redirectUris.problem(uri, anonymous);
    if (problem) fail(`post_logout_redirect_uris[${i}]`, problem);
  });
}

function checkScopes(m: ClientMetadata, rules: RegistrationRules): string[] {
  const allowed = rules.allowedScopes.filter((s) => rules.knownScopes.has(s));
  if (m.scope === undefined) return allowed;
  const scopes = [...new Set(m.scope.split(' '))];
  for (const s of scopes) {
    if (!rules.knownScopes.has(s)) fail('scope', `unknown scope ${JSON.stringify(s.slice(0, 100))}`);
    if (!allowed.includes(s)) fail('scope', `scope ${s} is not allowed for registered clients`);
  }
  return scopes;
}

function checkCrypto(m: ClientMetadata, rules: RegistrationRules): void {
  for (const field of ['id_token_signed_response_alg', 'userinfo_signed_response_alg', 'introspection_signed_response_alg'] as const) {
    const alg = m[field];
    if (alg && !rules.signingAlgorithms.has(alg))
      fail(field, `${alg} is not one of the server's signing algorithms (${[...rules.signingAlgorithms].join(', ')})`);
  }
  for (const field of ['id_token_encrypted_response_alg', 'userinfo_encrypted_response_alg', 'introspection_encrypted_response_alg'] as const) {
    if (m[field] && !m.jwks && !m.jwks_uri) fail(field, 'encrypted responses need the client keys (jwks or jwks_uri)');
  }
}

/**
 * Applies the RFC 7591 defaults and the policy; throws the RFC 7591 §3.2.2 error of the first problem.
 *
 * @example buildClient('c1', { redirect_uris: ['https://app.example/cb'] }, rules, false).definition.allowedGrantTypes // ['authorization_code']
 */
export function buildClient(clientId: string, m: ClientMetadata, rules: RegistrationRules, anonymous: boolean): BuiltClient {
  const { grants, responseTypes } = checkGrants(m, rules);
  const method = checkAuthMethod(m, grants, rules);
  checkRedirects(m, grants, rules, anonymous);
  const scopes = checkScopes(m, rules);
  checkCrypto(m, rules);
  const metadata = { ...m, grant_types: grants, response_types: responseTypes, token_endpoint_auth_method: method, scope: scopes.join(' ') };
  const definition: ClientDefinition = {
    clientId,
    clientName: m.client_name,
    clientUri: m.client_uri,
    logoUri: m.logo_uri,
    initiateLoginUri: m.initiate_login_uri,
    requireClientSecret: method !== 'none',
    tokenEndpointAuthMethods: [method as 'client_secret_basic'],
    jwks: m.jwks,
    jwksUri: m.jwks_uri,
    allowedGrantTypes: grants,
    redirectUris: m.redirect_uris ?? [],
    postLogoutRedirectUris: m.post_logout_redirect_uris ?? [],
    allowedScopes: scopes,
    requirePkce: true,
    requireConsent: rules.requireConsent,
    allowOfflineAccess: grants.includes('refresh_token') && scopes.includes('offline_access'),
    frontChannelLogoutUri: m.frontchannel_logout_uri,
    frontChannelLogoutSessionRequired: m.frontchannel_logout_session_required ?? false,
    backChannelLogoutUri: m.backchannel_logout_uri,
    backChannelLogoutSessionRequired: m.backchannel_logout_session_required ?? false,
    idTokenSignedResponseAlg: m.id_token_signed_response_alg,
    idTokenEncryptedResponseAlg: m.id_token_encrypted_response_alg,
    idTokenEncryptedResponseEnc: m.id_token_encrypted_response_enc,
    userinfoSignedResponseAlg: m.userinfo_signed_response_alg,
    userinfoEncryptedResponseAlg: m.userinfo_encrypted_response_alg,
    userinfoEncryptedResponseEnc: m.userinfo_encrypted_response_enc,
    introspectionSignedResponseAlg: m.introspection_signed_response_alg,
    introspectionEncryptedResponseAlg: m.introspection_encrypted_response_alg,
    introspectionEncryptedResponseEnc: m.introspection_encrypted_response_enc,
  };
  return { metadata, definition, needsSecret: SECRET_METHODS.has(method) };
}
