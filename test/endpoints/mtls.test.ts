/**
 * Mutual TLS (RFC 8705) through real TLS connections with real certificates:
 * tls_client_auth (§2.1), self_signed_tls_client_auth (§2.2),
 * certificate-bound access tokens (§3) at userinfo and introspection, the
 * endpoint aliases (§5), and a proxy's certificate header accepted only
 * from a trusted proxy. The provider serves its issuer over http and its
 * mTLS aliases over https (requestCert, no CA check), one handler for both.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { certificateThumbprint } from '../../src/proof/mtls.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeCertificate, type TestCertificate } from '../helpers/tls-certificates.js';
import { formBody, tlsRequest } from '../helpers/tls-request.js';

const noOpenssl = requirePrograms(['openssl'], 'certificates for mutual TLS');

describe.skipIf(!!noOpenssl)('mutual TLS (RFC 8705)', () => {
  let t: TestServer;
  let tls: https.Server;
  let mtlsBase: string;
  let dn: TestCertificate, san: TestCertificate, self: TestCertificate, intruder: TestCertificate, web: TestCertificate;

  beforeAll(async () => {
    dn = makeCertificate('/O=Gatehouse Test/CN=mtls-client');
    san = makeCertificate('/CN=whatever', ['DNS:client.example.test', 'IP:10.1.2.3']);
    self = makeCertificate('/CN=self-signed-client');
    intruder = makeCertificate('/O=Gatehouse Test/CN=intruder');
    web = makeCertificate('/O=Gatehouse Test/CN=mtls-web');
    const server = makeCertificate('/CN=localhost', ['DNS:localhost', 'IP:127.0.0.1']);
    tls = https.createServer({ cert: server.cert, key: server.key, requestCert: true, rejectUnauthorized: false });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    mtlsBase = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    const selfJwk = self.x509.publicKey.export({ format: 'jwk' });
    t = await startTestServer({
      mutate: (c) => {
        c.mtls = { enabled: true, endpointAliasBase: mtlsBase, certificateHeader: 'x-client-cert' };
        // Only 127.0.0.2 is a trusted proxy; tests connect from 127.0.0.1 unless they say otherwise.
        c.server = { ...c.server, trustProxy: { cidrs: ['127.0.0.2/32'], header: 'x-forwarded-for' } };
        const m2m = { allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'] };
        c.clients = [
          ...(c.clients ?? []),
          { clientId: 'mtls.dn', tokenEndpointAuthMethods: ['tls_client_auth'], tlsClientAuthSubjectDn: 'CN=mtls-client,O=Gatehouse Test', ...m2m },
          { clientId: 'mtls.san', tlsClientAuthSanDns: 'client.example.test', ...m2m },
          { clientId: 'mtls.ip', tlsClientAuthSanIp: '10.1.2.3', ...m2m },
          { clientId: 'mtls.self', tokenEndpointAuthMethods: ['self_signed_tls_client_auth'], jwks: { keys: [selfJwk] }, accessTokenType: 'reference', ...m2m },
          {
            clientId: 'mtls.public',
            requireClientSecret: false,
            tlsClientCertificateBoundAccessTokens: true,
            allowedGrantTypes: ['authorization_code', 'refresh_token'],
            allowedScopes: ['openid', 'offline_access'],
            allowOfflineAccess: true,
            redirectUris: [CONFIDENTIAL_REDIRECT],
          },
          {
            clientId: 'mtls.web',
            tlsClientAuthSubjectDn: 'CN=mtls-web,O=Gatehouse Test',
            allowedGrantTypes: ['authorization_code', 'refresh_token'],
            allowedScopes: ['openid', 'profile', 'api', 'offline_access'],
            allowOfflineAccess: true,
            redirectUris: [CONFIDENTIAL_REDIRECT],
          },
        ];
      },
    });
    tls.on('request', t.gh.handler);
  });
  afterAll(async () => {
    tls?.closeAllConnections();
    await new Promise((r) => tls?.close(r));
    await t?.close();
  });

  const token = (clientId: string, cert?: TestCertificate) =>
    tlsRequest(`${mtlsBase}/connect/token`, { ...formBody({ grant_type: 'client_credentials', client_id: clientId }), cert: cert?.cert, key: cert?.key });

  it('publishes the methods, bound tokens and the mTLS endpoint aliases (§3.3, §5)', async () => {
    const doc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, any>;
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['tls_client_auth', 'self_signed_tls_client_auth']));
    expect(doc.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(doc.mtls_endpoint_aliases.token_endpoint).toBe(`${mtlsBase}/connect/token`);
    expect(doc.mtls_endpoint_aliases.userinfo_endpoint).toBe(`${mtlsBase}/connect/userinfo`);
  });

  it('tls_client_auth by subject DN: a token bound to the certificate (cnf.x5t#S256)', async () => {
    const res = await token('mtls.dn', dn);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token).cnf).toEqual({ 'x5t#S256': certificateThumbprint(dn.x509) });
  });

  it('tls_client_auth without a certificate is invalid_client', async () => {
    const res = await token('mtls.dn');
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it('tls_client_auth with a certificate of another subject (DN mismatch) is invalid_client', async () => {
    const res = await token('mtls.dn', intruder);
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  it("tls_client_auth with another client's certificate is invalid_client", async () => {
    expect((await token('mtls.dn', san)).status).toBe(401);
    expect((await token('mtls.san', dn)).status).toBe(401);
  });

  it('tls_client_auth by dNSName and by iPAddress SAN', async () => {
    expect((await token('mtls.san', san)).status).toBe(200);
    expect((await token('mtls.ip', san)).status).toBe(200);
    expect((await token('mtls.ip', dn)).status).toBe(401);
  });

  it('self_signed_tls_client_auth: the certificate key in the client JWKS; a reference token stores the binding', async () => {
    const res = await token('mtls.self', self);
    expect(res.status).toBe(200);
    const access = res.json().access_token;
    // Introspection over mTLS by the same client reports the cnf (§3.2).
    const intro = await tlsRequest(`${mtlsBase}/connect/introspect`, {
      ...formBody({ token: access, client_id: 'mtls.self' }),
      cert: self.cert,
      key: self.key,
    });
    expect(intro.status).toBe(200);
    expect(intro.json()).toMatchObject({ active: true, cnf: { 'x5t#S256': certificateThumbprint(self.x509) } });
  });

  it('self_signed_tls_client_auth with a certificate not in the JWKS is invalid_client', async () => {
    const res = await token('mtls.self', intruder);
    expect(res.status).toBe(401);
    expect(res.json().error).toBe('invalid_client');
  });

  const viaHttp = (localAddress: string, headers: Record<string, string>, clientId: string) =>
    new Promise<{ status: number; body: Record<string, any> }>((resolve, reject) => {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId }).toString();
      const req = http.request(
        `${t.url}/connect/token`,
        {
          method: 'POST',
          localAddress,
          agent: false,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('a forged certificate header from an untrusted address is ignored (no certificate)', async () => {
    const res = await viaHttp('127.0.0.1', { 'x-client-cert': encodeURIComponent(dn.cert) }, 'mtls.dn');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('the certificate header of a trusted proxy is the client certificate (URL-encoded PEM)', async () => {
    const res = await viaHttp('127.0.0.2', { 'x-client-cert': encodeURIComponent(dn.cert), 'x-forwarded-for': '198.51.100.7' }, 'mtls.dn');
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token as string).cnf).toEqual({ 'x5t#S256': certificateThumbprint(dn.x509) });
  });

  describe('a certificate-bound token at userinfo (§3)', () => {
    let access: string;
    let refresh: string;
    beforeAll(async () => {
      const flow = await authorizeWithLogin(t.url, { clientId: 'mtls.web', scope: 'openid profile api offline_access' });
      const res = await tlsRequest(`${mtlsBase}/connect/token`, {
        ...formBody({
          grant_type: 'authorization_code',
          client_id: 'mtls.web',
          code: flow.code,
          redirect_uri: CONFIDENTIAL_REDIRECT,
          code_verifier: flow.verifier,
        }),
        cert: web.cert,
        key: web.key,
      });
      expect(res.status).toBe(200);
      access = res.json().access_token;
      refresh = res.json().refresh_token;
      expect(refresh).toBeTruthy();
    });
    const userinfo = (cert?: TestCertificate, base = mtlsBase) =>
      tlsRequest(`${base}/connect/userinfo`, { headers: { authorization: `Bearer ${access}` }, cert: cert?.cert, key: cert?.key });

    it('with its certificate: the claims', async () => {
      const res = await userinfo(web);
      expect(res.status).toBe(200);
      expect(res.json().sub).toBeTruthy();
    });

    it('without a certificate: 401 invalid_token', async () => {
      const res = await userinfo();
      expect(res.status).toBe(401);
      expect(String(res.headers['www-authenticate'])).toContain('invalid_token');
    });

    it('with another certificate: 401 invalid_token', async () => {
      const res = await userinfo(intruder);
      expect(res.status).toBe(401);
      expect(String(res.headers['www-authenticate'])).toContain('invalid_token');
    });

    it('over plain http (no TLS, so no certificate): 401', async () => {
      const res = await fetch(`${t.url}/connect/userinfo`, { headers: { authorization: `Bearer ${access}` } });
      expect(res.status).toBe(401);
    });

    it('refresh over mTLS keeps the new access token bound', async () => {
      const res = await tlsRequest(`${mtlsBase}/connect/token`, {
        ...formBody({ grant_type: 'refresh_token', client_id: 'mtls.web', refresh_token: refresh }),
        cert: web.cert,
        key: web.key,
      });
      expect(res.status).toBe(200);
      expect(decodeJwt(res.json().access_token).cnf).toEqual({ 'x5t#S256': certificateThumbprint(web.x509) });
    });
  });

  describe('a public client with certificate-bound tokens (§3.4, §4)', () => {
    let refresh: string;
    const refreshWith = (cert?: TestCertificate) =>
      tlsRequest(`${mtlsBase}/connect/token`, {
        ...formBody({ grant_type: 'refresh_token', client_id: 'mtls.public', refresh_token: refresh }),
        cert: cert?.cert,
        key: cert?.key,
      });

    beforeAll(async () => {
      const flow = await authorizeWithLogin(t.url, { clientId: 'mtls.public', scope: 'openid offline_access' });
      const res = await tlsRequest(`${mtlsBase}/connect/token`, {
        ...formBody({
          grant_type: 'authorization_code',
          client_id: 'mtls.public',
          code: flow.code,
          redirect_uri: CONFIDENTIAL_REDIRECT,
          code_verifier: flow.verifier,
        }),
        cert: self.cert,
        key: self.key,
      });
      expect(res.status).toBe(200);
      expect(decodeJwt(res.json().access_token as string).cnf).toEqual({ 'x5t#S256': certificateThumbprint(self.x509) });
      refresh = res.json().refresh_token as string;
    });

    it('a token request without a certificate is invalid_request', async () => {
      const res = await refreshWith();
      expect(res.status).toBe(400);
      expect(res.json().error).toBe('invalid_request');
    });

    it('the refresh token with another certificate is invalid_grant', async () => {
      const res = await refreshWith(intruder);
      expect(res.status).toBe(400);
      expect(res.json().error).toBe('invalid_grant');
    });

    it('the refresh token with its certificate: a new bound access token', async () => {
      const res = await refreshWith(self);
      expect(res.status).toBe(200);
      expect(decodeJwt(res.json().access_token as string).cnf).toEqual({ 'x5t#S256': certificateThumbprint(self.x509) });
    });
  });

  describe('openid-client v6 with mutual TLS', () => {
    /**
     * An undici Agent presenting the client certificate: the Agent class of
     * Node's bundled undici (the global fetch dispatcher's), as a host without
     * the undici package gets it; the test's server certificate is not checked.
     */
    function agentWith(cert: TestCertificate): unknown {
      const g = globalThis as unknown as Record<symbol, { constructor: new (o: unknown) => unknown } | undefined>;
      const current = g[Symbol.for('undici.globalDispatcher.1')];
      if (!current) throw new Error('no global fetch dispatcher in this Node version');
      return new current.constructor({ connect: { cert: cert.cert, key: cert.key, rejectUnauthorized: false } });
    }

    it('tls_client_auth through the mTLS endpoint aliases: a certificate-bound token, then userinfo with it', async () => {
      await fetch('data:,').catch(() => undefined); // the global dispatcher exists once fetch ran
      const dispatcher = agentWith(web);
      const mtlsFetch: client.CustomFetch = (url, options) => fetch(url, { ...options, dispatcher } as RequestInit);
      const config = await client.discovery(new URL(t.url), 'mtls.web', { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: mtlsFetch,
      });
      config[client.customFetch] = mtlsFetch;
      const flow = await authorizeWithLogin(t.url, { clientId: 'mtls.web', scope: 'openid profile api' });
      const tokens = await client.authorizationCodeGrant(config, flow.callback, { pkceCodeVerifier: flow.verifier, expectedState: 'st', expectedNonce: 'nn' });
      expect(decodeJwt(tokens.access_token).cnf).toEqual({ 'x5t#S256': certificateThumbprint(web.x509) });
      const claims = tokens.claims()!;
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      expect(info.sub).toBe(claims.sub);
      // The same client with another certificate is refused at the token endpoint (401 invalid_client, with the Basic challenge).
      const other = await client.discovery(new URL(t.url), 'mtls.web', { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: (url, options) => fetch(url, { ...options, dispatcher: agentWith(intruder) } as RequestInit),
      });
      const second = await authorizeWithLogin(t.url, { clientId: 'mtls.web', scope: 'openid', jar: flow.jar });
      await expect(client.authorizationCodeGrant(other, second.callback, { pkceCodeVerifier: second.verifier, expectedState: 'st' })).rejects.toMatchObject({
        status: 401,
      });
    });
  });
});
