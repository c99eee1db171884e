/**
 * The mTLS verifier in the resource server (RFC 8705 §3) over real TLS: an
 * https API that requests client certificates, certificates made by openssl
 * in the test, and certificate-bound tokens (`cnf.x5t#S256`) signed with a
 * real Gatehouse's key. Behind a TLS-terminating proxy, the forwarded
 * certificate header is believed only from a trusted proxy address.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { certificateThumbprint, createResourceServer, mtlsVerifier, type AccessTokenInfo, type MtlsVerifierOptions } from '../../src/resource-server/index.js';
import { makePki, opensslDer, type Pem, type TestPki } from '../proof/certificates.js';
import { challengeParams } from './helpers.js';

const skip = requirePrograms(['openssl']);

interface Answer {
  status: number;
  challenge: string | undefined;
  body: Record<string, any>;
}

describe.skipIf(skip)('resource server: mTLS verifier', () => {
  let s: TestServer;
  let pki: TestPki;
  const servers: (http.Server | https.Server)[] = [];

  /** The handler of an API protected by `mtlsVerifier(options)`. */
  const handler = (options: MtlsVerifierOptions) => {
    const rs = createResourceServer({ issuer: s.url, audience: 'api', clock: () => s.clock.now(), proof: [mtlsVerifier(options)] });
    const guard = rs.node();
    return (req: http.IncomingMessage, res: http.ServerResponse) =>
      guard(req, res, () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify((req as typeof req & { auth: AccessTokenInfo }).auth)),
      );
  };
  const listen = async (server: http.Server | https.Server) => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    return (server.address() as AddressInfo).port;
  };
  let tlsPort = 0;
  beforeAll(async () => {
    s = await startTestServer();
    pki = makePki();
    // Client certificates are requested, and checked by the verifier, not by the TLS layer (RFC 8705 §3 also allows self-signed ones).
    const tls = https.createServer({ key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false }, handler({}));
    tlsPort = await listen(tls);
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    pki?.dispose();
    await s?.close();
  });

  const boundToken = (cert?: Pem) => {
    const now = s.clock.now();
    return signJwt(
      {
        iss: s.url,
        sub: 'c',
        aud: 'api',
        client_id: 'c',
        jti: randomUUID(),
        iat: now,
        exp: now + 300,
        scope: 'api',
        ...(cert ? { cnf: { 'x5t#S256': certificateThumbprint(cert.cert) } } : {}),
      },
      s.gh.context.keys.signingKey(),
      'at+jwt',
    );
  };
  const read = (res: http.IncomingMessage) =>
    new Promise<Answer>((resolve) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, challenge: res.headers['www-authenticate'], body: text ? JSON.parse(text) : {} }));
    });
  /** A request over TLS, presenting `client` as the client certificate (or none). */
  const overTls = (token: string, client?: Pem) =>
    new Promise<Answer>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: tlsPort,
          path: '/api/test',
          ca: pki.ca.cert,
          ...(client ? { key: client.key, cert: client.cert } : {}),
          headers: { authorization: `Bearer ${token}` },
          agent: false,
        },
        (res) => resolve(read(res)),
      );
      req.on('error', reject);
      req.end();
    });
  const plain = (port: number, token: string, headers: Record<string, string>) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/api/test', headers: { authorization: `Bearer ${token}`, ...headers } }, (res) =>
        resolve(read(res)),
      );
      req.on('error', reject);
      req.end();
    });
  const invalidToken = (a: Answer) => {
    expect(a.status).toBe(401);
    const { scheme, params } = challengeParams(a.challenge ?? null);
    expect(scheme).toBe('Bearer');
    expect(params.error).toBe('invalid_token');
    return params.error_description;
  };

  it('accepts a certificate-bound token over a TLS connection with the bound certificate', async () => {
    const a = pki.client('a');
    const r = await overTls(await boundToken(a), a);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scheme: 'Bearer', cnf: { 'x5t#S256': certificateThumbprint(new X509Certificate(opensslDer(a.certPath))) } });
  });

  it('refuses it without a client certificate, or with another client certificate (401 invalid_token)', async () => {
    const token = await boundToken(pki.client('a'));
    expect(invalidToken(await overTls(token))).toMatch(/has none/);
    expect(invalidToken(await overTls(token, pki.client('b')))).toMatch(/not the one/);
  });

  it('still accepts unbound tokens, with or without a certificate', async () => {
    expect((await overTls(await boundToken())).status).toBe(200);
    expect((await overTls(await boundToken(), pki.client('b'))).status).toBe(200);
  });

  it('behind a trusted proxy, reads the forwarded certificate (RFC 9440 Client-Cert or URL-encoded PEM)', async () => {
    const port = await listen(http.createServer(handler({ certificateHeader: 'Client-Cert', trustedProxies: ['127.0.0.0/8'] })));
    const a = pki.client('a');
    const token = await boundToken(a);
    expect((await plain(port, token, { 'client-cert': `:${opensslDer(a.certPath).toString('base64')}:` })).status).toBe(200);
    expect((await plain(port, token, { 'client-cert': encodeURIComponent(a.cert) })).status).toBe(200);
    expect(invalidToken(await plain(port, token, { 'client-cert': encodeURIComponent(pki.client('b').cert) }))).toMatch(/not the one/);
    expect(invalidToken(await plain(port, token, {}))).toMatch(/has none/);
    expect(invalidToken(await plain(port, token, { 'client-cert': 'garbage' }))).toMatch(/has none/);
  });

  it('ignores the header from an address that is not a trusted proxy (a forged header)', async () => {
    const port = await listen(http.createServer(handler({ certificateHeader: 'client-cert', trustedProxies: ['10.0.0.7', 'fd00::/8'] })));
    const a = pki.client('a');
    expect(invalidToken(await plain(port, await boundToken(a), { 'client-cert': encodeURIComponent(a.cert) }))).toMatch(/has none/);
  });

  it('refuses bad options at construction', () => {
    expect(() => mtlsVerifier({ certificateHeader: 'client-cert' })).toThrow(/trustedProxies/);
    expect(() => mtlsVerifier({ certificateHeader: 'client-cert', trustedProxies: ['proxy.example.com'] })).toThrow(/not an IP/);
    expect(() => mtlsVerifier({ certificateHeader: 'client-cert', trustedProxies: ['10.0.0.0/33'] })).toThrow(/not an IP/);
  });
});
