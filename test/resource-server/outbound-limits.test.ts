/**
 * The resource server's outbound requests are bounded: an issuer that
 * answers too much, too slowly, with a redirect or with another issuer's
 * metadata makes the API answer 503, never hang or accept a token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceServer } from '../../src/resource-server/index.js';

describe('resource server: outbound limits', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = req.url!.split('/.well-known')[0];
      if (path === '/big')
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: `${base}/big`, pad: 'x'.repeat(5000) }));
      if (path === '/slow') return; // never answers
      if (path === '/redirect') return res.writeHead(302, { location: `${base}/other/.well-known/openid-configuration` }).end();
      if (path === '/wrong-issuer') return res.writeHead(200).end(JSON.stringify({ issuer: 'https://evil.example', jwks_uri: `${base}/jwks` }));
      if (path === '/not-json') return res.writeHead(200).end('<html>');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  // A well-formed token header and payload: validation needs the issuer's keys.
  const seg = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = seg({ alg: 'RS256', typ: 'at+jwt', kid: 'k' }) + '.' + seg({ iss: 'x' }) + '.' + seg({ s: 1 });

  for (const path of ['/big', '/slow', '/redirect', '/wrong-issuer', '/not-json']) {
    it(`answers 503 for an issuer at ${path}`, async () => {
      const rs = createResourceServer({ issuer: base + path, audience: 'api', fetchTimeout: 300, fetchSizeLimit: 4096 });
      const r = await rs.verifyFetch(new Request('http://api.test/', { headers: { authorization: `Bearer ${jwt}` } }));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.failure.status).toBe(503);
    });
  }

  it('refuses an http issuer off loopback unless allowed, and symmetric or unknown algorithms', () => {
    expect(() => createResourceServer({ issuer: 'http://id.example.com', audience: 'api' })).toThrow(/https/);
    expect(() => createResourceServer({ issuer: 'http://id.example.com', audience: 'api', allowInsecureHttp: true })).not.toThrow();
    expect(() => createResourceServer({ issuer: 'https://id.example.com', audience: 'api', algorithms: ['HS256' as 'RS256'] })).toThrow(/HS256/);
    expect(() => createResourceServer({ issuer: 'https://id.example.com', audience: [] })).toThrow(/audience/);
  });
});
