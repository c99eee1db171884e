/** Mutual TLS and JARM configuration (docs/mtls.md, docs/jarm.md): defaults, derived auth methods and the startup checks (RFC 8705 §2.1.2, §2.2). */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/index.js';
import { authMethodsOf } from '../../src/config/compile.js';
import { validateConfig } from '../../src/config/validate.js';

const M2M = { allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'] };
const input = (client: Record<string, unknown>, mtls: Record<string, unknown> | null = { enabled: true }) => ({
  apiScopes: [{ name: 'api' }],
  ...(mtls ? { mtls } : {}),
  clients: [{ clientId: 'c', ...M2M, ...client }],
});
const problems = (doc: unknown): string[] => {
  try {
    validateConfig(doc);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

describe('mutual TLS configuration', () => {
  it('is off by default', () => {
    expect(validateConfig({}).config.mtls).toEqual({ enabled: false });
  });

  it('a registered subject selects tls_client_auth; the client is confidential', () => {
    const { config } = validateConfig(input({ tlsClientAuthSubjectDn: 'CN=c,O=Example' }));
    expect([...authMethodsOf(config.clients[0])]).toEqual(['tls_client_auth']);
  });

  it('refuses two subject values (§2.1.2: exactly one)', () => {
    expect(problems(input({ tlsClientAuthSubjectDn: 'CN=c', tlsClientAuthSanDns: 'c.example' }))).toEqual([
      'clients[0].tlsClientAuthSanDns: tls_client_auth takes exactly one certificate subject value (RFC 8705 §2.1.2); also set: tlsClientAuthSubjectDn',
    ]);
  });

  it('refuses tls_client_auth without a subject and self_signed_tls_client_auth without keys', () => {
    expect(problems(input({ tokenEndpointAuthMethods: ['tls_client_auth'] }))[0]).toMatch(/tls_client_auth needs one of tlsClientAuthSubjectDn/);
    expect(problems(input({ tokenEndpointAuthMethods: ['self_signed_tls_client_auth'] }))[0]).toMatch(/needs jwks or jwksUri/);
  });

  it('refuses the methods and bound tokens with mtls switched off', () => {
    expect(problems(input({ tlsClientAuthSubjectDn: 'CN=c' }, null))).toEqual([
      'clients[0].tokenEndpointAuthMethods: needs mutual TLS, which is switched off (mtls.enabled is false)',
    ]);
    expect(problems(input({ clientSecrets: [{ value: 'x' }], tlsClientCertificateBoundAccessTokens: true }, null))).toEqual([
      'clients[0].tlsClientCertificateBoundAccessTokens: needs mutual TLS, which is switched off (mtls.enabled is false)',
    ]);
  });

  it('a JARM signing alg needs a server key of that alg; encryption needs the client key', () => {
    expect(problems(input({ clientSecrets: [{ value: 'x' }], authorizationSignedResponseAlg: 'ES256' }))[0]).toMatch(
      /authorizationSignedResponseAlg: the server has no ES256 signing key/,
    );
    expect(problems(input({ clientSecrets: [{ value: 'x' }], authorizationEncryptedResponseAlg: 'RSA-OAEP' }))[0]).toMatch(
      /authorizationEncryptedResponseAlg: encryption needs the public key/,
    );
  });

  it('refuses a certificate header without trusted proxies (it would never be read)', () => {
    expect(problems(input({ clientSecrets: [{ value: 'x' }] }, { enabled: true, certificateHeader: 'x-client-cert' }))).toEqual([
      'mtls.certificateHeader: is read only from trusted proxies: set server.trustProxy (cidrs of your TLS-terminating proxies)',
    ]);
    const trusted = {
      ...input({ clientSecrets: [{ value: 'x' }] }, { enabled: true, certificateHeader: 'x-client-cert' }),
      server: { trustProxy: { cidrs: ['10.0.0.0/8'] } },
    };
    expect(problems(trusted)).toEqual([]);
  });
});
