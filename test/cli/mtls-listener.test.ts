/**
 * `gatehouse start` with TLS and `mtls.enabled`, as a real process: the
 * listener requests client certificates without a global CA check (RFC 8705:
 * the check is per client), so a client authenticates with tls_client_auth
 * over the CLI's own https listener, and a connection without a certificate
 * is still served (and refused as a client, not at the TLS layer).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { certificateThumbprint } from '../../src/proof/mtls.js';
import { ROOT, startCliServer, type CliServer } from '../helpers/cli-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { makeCertificate, type TestCertificate } from '../helpers/tls-certificates.js';
import { formBody, tlsRequest } from '../helpers/tls-request.js';

const noOpenssl = requirePrograms(['openssl'], 'certificates for the mTLS listener');

describe.skipIf(!!noOpenssl)('gatehouse start: the TLS listener requests client certificates with mtls.enabled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-mtls-cli-'));
  let gh: CliServer;
  let client: TestCertificate;

  beforeAll(async () => {
    const server = makeCertificate('/CN=localhost', ['DNS:localhost', 'IP:127.0.0.1']);
    client = makeCertificate('/O=Gatehouse Test/CN=cli-client');
    writeFileSync(join(dir, 'server.crt'), server.cert);
    writeFileSync(join(dir, 'server.key'), server.key);
    const config = JSON.parse(readFileSync(join(ROOT, 'config/demo.json'), 'utf8')) as Record<string, unknown> & { clients: unknown[] };
    config.mtls = { enabled: true };
    config.clients.push({
      clientId: 'mtls.cli',
      tlsClientAuthSubjectDn: 'CN=cli-client,O=Gatehouse Test',
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api'],
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    gh = await startCliServer({ config: join(dir, 'config.json'), tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') } });
  });
  afterAll(async () => {
    await gh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = (cert?: TestCertificate) =>
    tlsRequest(`${gh.url}/connect/token`, { ...formBody({ grant_type: 'client_credentials', client_id: 'mtls.cli' }), cert: cert?.cert, key: cert?.key });

  it('tls_client_auth with the certificate of the TLS handshake: a certificate-bound token', async () => {
    const res = await token(client);
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json().access_token as string).cnf).toEqual({ 'x5t#S256': certificateThumbprint(client.x509) });
  });

  it('without a certificate the connection is served and the client refused: 401 invalid_client', async () => {
    const res = await token();
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });
});
