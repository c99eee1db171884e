/**
 * The resource server's outbound requests share the outbound client's limits:
 * with its default client, an issuer that streams an oversized chunked
 * document or a redirect answers 503; with a host's own `fetch` whose body
 * never ends, the time limit still ends the request (503, no hang).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResourceServer } from '../../src/resource-server/index.js';
import { startServer, type CountingServer } from './servers.js';

const seg = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = seg({ alg: 'RS256', typ: 'at+jwt', kid: 'k' }) + '.' + seg({ iss: 'x' }) + '.' + seg({ s: 1 });
const apiRequest = () => new Request('http://api.test/', { headers: { authorization: `Bearer ${jwt}` } });

let srv: CountingServer;

beforeAll(async () => {
  srv = await startServer((req, res) => {
    if (req.url!.startsWith('/chunked/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"issuer":"${srv.base}/chunked","pad":"`);
      for (let i = 0; i < 20; i++) res.write('x'.repeat(1024));
      return res.end('"}');
    }
    res.writeHead(404).end();
  });
});

afterAll(async () => {
  await srv.close();
});

describe('resource server: shared outbound limits', () => {
  it('answers 503 for a chunked metadata document above the size limit', async () => {
    const rs = createResourceServer({ issuer: `${srv.base}/chunked`, audience: 'api', fetchTimeout: 2000, fetchSizeLimit: 4096 });
    const r = await rs.verifyFetch(apiRequest());
    expect(!r.ok && r.failure.status).toBe(503);
    expect(srv.hits).toContain('/chunked/.well-known/openid-configuration');
  });

  it("ends a host fetch's never-ending body at the time limit: 503", async () => {
    const endless = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"issuer":"'));
          },
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const rs = createResourceServer({ issuer: 'https://id.example.com', audience: 'api', fetch: endless, fetchTimeout: 300 });
    const r = await rs.verifyFetch(apiRequest());
    expect(!r.ok && r.failure.status).toBe(503);
  });
});
