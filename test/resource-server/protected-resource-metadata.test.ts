/** RFC 9728 protected resource metadata, served by the helper through node:http and fetch. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { protectedResourceMetadata, protectedResourceMetadataUrl } from '../../src/resource-server/index.js';

describe('protected resource metadata (RFC 9728)', () => {
  it('builds the well-known URL between host and path (§3.1)', () => {
    expect(protectedResourceMetadataUrl('https://api.example.com')).toBe('https://api.example.com/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://api.example.com/')).toBe('https://api.example.com/.well-known/oauth-protected-resource');
    expect(protectedResourceMetadataUrl('https://api.example.com/v1/orders/')).toBe('https://api.example.com/.well-known/oauth-protected-resource/v1/orders');
  });

  it('serves the document on its path over node:http and passes other paths on', async () => {
    const meta = protectedResourceMetadata({
      resource: 'http://127.0.0.1/api/test',
      authorizationServers: ['http://id.test'],
      scopesSupported: ['api'],
      resourceName: 'Test API',
    });
    expect(meta.path).toBe('/.well-known/oauth-protected-resource/api/test');
    const server = http.createServer((req, res) => meta.node(req, res, () => res.writeHead(418).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}${meta.path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        resource: 'http://127.0.0.1/api/test',
        authorization_servers: ['http://id.test'],
        bearer_methods_supported: ['header'],
        scopes_supported: ['api'],
        resource_name: 'Test API',
      });
      expect((await fetch(`${base}${meta.path}`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${base}/other`)).status).toBe(418);
    } finally {
      server.close();
    }
  });

  it('serves through fetch and refuses a resource with a fragment', async () => {
    const meta = protectedResourceMetadata({ resource: 'https://api.example.com/x', authorizationServers: ['https://id.example.com'], path: '/meta/x' });
    expect(meta.url).toBe('https://api.example.com/meta/x');
    expect(await meta.fetch(new Request('https://api.example.com/meta/x'))!.json()).toMatchObject({ resource: 'https://api.example.com/x' });
    expect(meta.fetch(new Request('https://api.example.com/other'))).toBeUndefined();
    expect(() => protectedResourceMetadata({ resource: 'https://a.example/x#f', authorizationServers: [] })).toThrow(/fragment/);
  });
});
