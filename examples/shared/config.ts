/**
 * The Gatehouse configuration the framework examples share: one user, one
 * API (`api`, with scopes `api` and `api.admin`) and one web client that
 * signs users in with code + PKCE on a loopback redirect URI.
 */
import { randomBytes } from 'node:crypto';
import { hashSecret, type ConfigInput } from 'gatehouse';

export function exampleConfig(issuer: string): ConfigInput {
  return {
    server: { issuer, logLevel: 'warn' },
    // Keys and grants live in memory: a restart signs everyone out. Use sqlite or postgres for real.
    store: { type: 'memory' },
    keys: { keyEncryptionKey: randomBytes(32).toString('base64') },
    users: [{ subjectId: '1', username: 'alice', password: 'alice', claims: { name: 'Alice Smith' } }],
    identityResources: ['openid', 'profile'],
    apiScopes: [{ name: 'api' }, { name: 'api.admin' }],
    apiResources: [{ name: 'api', scopes: ['api', 'api.admin'] }],
    clients: [
      {
        clientId: 'example.app',
        clientSecrets: [{ value: hashSecret('secret') }],
        allowedGrantTypes: ['authorization_code'],
        // Loopback redirect URIs match any port (RFC 8252 §7.3).
        redirectUris: ['http://127.0.0.1/callback'],
        allowedScopes: ['openid', 'profile', 'api', 'api.admin'],
      },
    ],
  };
}
