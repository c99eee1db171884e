/**
 * `none` is for public clients only (RFC 6749 §2.1, §4.4, §5.2): a client
 * with secrets or keys that lists it is refused at startup, and a grant that
 * needs a confidential client (`requiresConfidentialClient`, client_credentials
 * among the built-in ones) answers invalid_client to a client that used `none`.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, compileClients, parseConfig } from '../../src/config/index.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { GrantHandler } from '../../src/context.js';
import { noStoreJson } from '../../src/core/types.js';
import { createGatehouse } from '../../src/provider.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { basic, demoConfig, startTestServer, type TestServer } from '../helpers/server.js';
import { clientOf, token } from '../endpoints/helpers.js';

const CUSTOM = 'urn:example:params:grant-type:needs-confidential';
const OPEN = 'urn:example:params:grant-type:open';

/** An extension grant that declares it needs a confidential client and tells how the client authenticated. */
const needsConfidential: GrantHandler = {
  grantType: CUSTOM,
  parameters: [],
  requiresConfidentialClient: true,
  handle: async (_req, client, _ctx, auth) => noStoreJson({ client: client.clientId, method: auth.method }),
};
const open: GrantHandler = { ...needsConfidential, grantType: OPEN, requiresConfidentialClient: undefined };

function issuesOf(mutate: (c: ConfigInput) => void): readonly { path: string; message: string }[] {
  const config = demoConfig();
  mutate(config);
  try {
    parseConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}
const m2mIndex = (c: ConfigInput) => (c.clients as { clientId: string }[]).findIndex((x) => x.clientId === 'm2m');

describe('config: none on a confidential client', () => {
  it('refuses none beside the secrets of a client, with the path of the setting', () => {
    let i = -1;
    const issues = issuesOf((c) => {
      i = m2mIndex(c);
      clientOf(c, 'm2m').tokenEndpointAuthMethods = ['client_secret_basic', 'none'];
    });
    expect(issues).toEqual([
      {
        path: `clients[${i}].tokenEndpointAuthMethods[1]`,
        message: expect.stringMatching(/^none lets the client authenticate without credentials, but it has clientSecrets/),
      },
    ]);
  });

  it('refuses none on a client with keys, and none with requireClientSecret true', () => {
    const withKeys = issuesOf((c) => {
      Object.assign(clientOf(c, 'm2m'), { clientSecrets: [], jwksUri: 'https://client.example.com/jwks', tokenEndpointAuthMethods: ['none'] });
    });
    expect(withKeys.map((x) => x.message)).toEqual([expect.stringMatching(/it has jwksUri/)]);
    const required = issuesOf((c) => {
      (c.clients as Record<string, unknown>[]).push({
        clientId: 'odd',
        tokenEndpointAuthMethods: ['none'],
        allowedGrantTypes: ['authorization_code'],
        redirectUris: ['https://odd.example.com/cb'],
      });
    });
    expect(required.map((x) => x.message)).toEqual(['none is for public clients; set requireClientSecret to false (or remove none)']);
  });

  it('accepts none on a public client', () => {
    expect(issuesOf((c) => void (clientOf(c, 'interactive.public').tokenEndpointAuthMethods = ['none']))).toEqual([]);
  });

  it('createGatehouse refuses to start with such a client', async () => {
    const config = demoConfig();
    config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    clientOf(config, 'm2m').tokenEndpointAuthMethods = ['client_secret_basic', 'none'];
    const started = createGatehouse(config, { backend: createMemoryBackend(), logger: pino({ level: 'silent' }), timers: false });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('token endpoint: grants that need a confidential client', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      options: { grants: [needsConfidential, open] },
      mutate: (c) => {
        clientOf(c, 'm2m').allowedGrantTypes = ['client_credentials', CUSTOM];
        clientOf(c, 'interactive.public').allowedGrantTypes = ['authorization_code', 'refresh_token', CUSTOM, OPEN];
      },
    });
  });
  afterAll(() => s.close());

  it('client_credentials with none is invalid_client even when a client store lets the client list none', async () => {
    // A client that skipped the startup checks (e.g. from a store): secrets and none.
    const config = demoConfig();
    clientOf(config, 'm2m').tokenEndpointAuthMethods = ['client_secret_basic', 'none'];
    const original = s.gh.context.clients;
    s.gh.context.clients = compileClients(configSchema.parse(config));
    try {
      const r = await token(s.url, { grant_type: 'client_credentials', client_id: 'm2m' });
      expect(r.status, r.text).toBe(401);
      expect(r.body.error).toBe('invalid_client');
      expect(r.body.access_token).toBeUndefined();
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
      // The secret still works.
      expect((await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'secret') })).status).toBe(200);
    } finally {
      s.gh.context.clients = original;
    }
  });

  it('an extension grant that declares requiresConfidentialClient refuses a public client', async () => {
    const r = await token(s.url, { grant_type: CUSTOM, client_id: 'interactive.public' });
    expect(r.status, r.text).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('the grant handler learns the method the client actually used', async () => {
    const confidential = await token(s.url, { grant_type: CUSTOM }, { authorization: basic('m2m', 'secret') });
    expect(confidential.body).toEqual({ client: 'm2m', method: 'client_secret_basic' });
    const posted = await token(s.url, { grant_type: CUSTOM, client_id: 'm2m', client_secret: 'secret' });
    expect(posted.body).toEqual({ client: 'm2m', method: 'client_secret_post' });
    const pub = await token(s.url, { grant_type: OPEN, client_id: 'interactive.public' });
    expect(pub.body).toEqual({ client: 'interactive.public', method: 'none' });
  });
});
