/**
 * The demo's external provider (demo contract, "An external provider"): with
 * `UPSTREAM_OIDC_ISSUER` set, provider `upstream` ("Upstream"), client id
 * `gatehouse`, secret `secret` by client_secret_basic, scopes openid profile
 * email, code flow with PKCE; callback `{issuer}/federation/upstream/callback`
 * and post-logout `{issuer}/federation/upstream/signed-out`.
 */
import type { ExternalProviderInput } from './provider-schema.js';

export function upstreamProvider(issuer: string): ExternalProviderInput {
  return {
    name: 'upstream',
    displayName: 'Upstream',
    type: 'oidc',
    issuer: issuer.replace(/\/$/, ''),
    clientId: 'gatehouse',
    clientSecret: 'secret',
    tokenEndpointAuthMethod: 'client_secret_basic',
    scopes: ['openid', 'profile', 'email'],
    usePkce: true,
  };
}
