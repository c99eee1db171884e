/**
 * The interop server: `gatehouse start` (CLI, child process, SQLite in a temp
 * folder) on the demo configuration, plus two machine clients the demo does
 * not have, so every client authentication method can be exercised:
 * `m2m.jwt` (private_key_jwt, inline JWKS) and `m2m.hmac` (client_secret_jwt).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { ROOT, startCliServer, type CliServer } from '../helpers/cli-server.js';

export const HMAC_SECRET = 'interop-symmetric-key-0123456789abcdef';

export interface InteropServer extends CliServer {
  /** Private key of m2m.jwt (kid interop-es256). */
  jwtClientKey: CryptoKey;
}

export async function startInteropServer(): Promise<InteropServer> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'interop-es256', alg: 'ES256', use: 'sig' };
  const config = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')) as { clients: Array<{ clientId: string } & Record<string, unknown>> };
  // The demo's own m2m.jwt (its key in demo-keys) gives way to one with a key made here.
  config.clients = config.clients.filter((c) => c.clientId !== 'm2m.jwt');
  config.clients.push(
    { clientId: 'm2m.jwt', jwks: { keys: [jwk] }, allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'] },
    {
      clientId: 'm2m.hmac',
      clientSecrets: [{ value: HMAC_SECRET, type: 'SymmetricKey' }],
      tokenEndpointAuthMethods: ['client_secret_jwt'],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api'],
    },
  );
  const dir = mkdtempSync(join(tmpdir(), 'gh-interop-config-'));
  const file = join(dir, 'gatehouse.json');
  writeFileSync(file, JSON.stringify(config));
  const server = await startCliServer({ config: file });
  return {
    ...server,
    jwtClientKey: pair.privateKey,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
