/** The Web-standard fetch handler answers like the node handler (DESIGN.md "Layers"). */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';

const BODY_TIMEOUT_MS = 300;

describe('fetch adapter', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, bodyTimeout: BODY_TIMEOUT_MS, bodyLimit: 8192 }) });
  });
  afterAll(() => s.close());
  const viaFetch = (path: string, init?: RequestInit) => s.gh.fetch(new Request(s.url + path, init));
  const viaNode = (path: string, init?: RequestInit) => fetch(s.url + path, init);
  const tokenInit = (): RequestInit => ({
    method: 'POST',
    headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope: 'api' }).toString(),
  });

  it('serves the same discovery document and JWKS', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration/jwks']) {
      const [a, b] = await Promise.all([viaFetch(path), viaNode(path)]);
      expect(a.status, path).toBe(200);
      expect(a.status).toBe(b.status);
      expect(a.headers.get('content-type')).toBe(b.headers.get('content-type'));
      expect(a.headers.get('cache-control')).toBe(b.headers.get('cache-control'));
      expect(await a.text()).toBe(await b.text());
    }
  });

  it('issues a client-credentials token just like the node handler', async () => {
    const [a, b] = await Promise.all([viaFetch('/connect/token', tokenInit()), viaNode('/connect/token', tokenInit())]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    for (const h of ['cache-control', 'pragma', 'content-type', 'x-content-type-options', 'content-security-policy']) {
      expect(a.headers.get(h), h).toBe(b.headers.get(h));
    }
    expect(a.headers.get('x-request-id')).toBeTruthy();
    const ja = (await a.json()) as Record<string, unknown>;
    const jb = (await b.json()) as Record<string, unknown>;
    expect(Object.keys(ja).sort()).toEqual(Object.keys(jb).sort());
    expect({ ...ja, access_token: 0 }).toEqual({ ...jb, access_token: 0 });
    const jwks = (await (await viaFetch('/.well-known/openid-configuration/jwks')).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(ja.access_token as string, createLocalJWKSet(jwks), {
      issuer: s.url,
      audience: 'api',
      typ: 'at+jwt',
      currentDate: new Date(s.clock.now() * 1000),
    });
    expect(payload.client_id).toBe('m2m');
  });

  it('maps the same errors: 401, 405, 404, 400 content type, 413', async () => {
    const cases: [string, RequestInit | undefined][] = [
      ['/connect/token', { ...tokenInit(), headers: { authorization: basic('m2m', 'x'), 'content-type': 'application/x-www-form-urlencoded' } }],
      ['/connect/token', undefined],
      ['/nowhere', undefined],
      ['/connect/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['/connect/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=' + 'x'.repeat(9000) }],
      ['/connect/token?scope=api', tokenInit()],
    ];
    for (const [path, init] of cases) {
      const [a, b] = await Promise.all([viaFetch(path, init), viaNode(path, init)]);
      expect(a.status, path).toBe(b.status);
      expect(a.headers.get('allow')).toBe(b.headers.get('allow'));
      expect(a.headers.get('www-authenticate')).toBe(b.headers.get('www-authenticate'));
      expect(((await a.json()) as { error: string }).error).toBe(((await b.json()) as { error: string }).error);
    }
  });

  it('answers HEAD without a body', async () => {
    const res = await viaFetch('/.well-known/openid-configuration', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('answers CORS like the node handler', async () => {
    const init = { ...tokenInit(), headers: { ...(tokenInit().headers as Record<string, string>), origin: 'http://localhost:3000' } };
    const res = await viaFetch('/connect/token', init);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });

  it('answers 408 to a body that stalls, instead of using the part received', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('grant_type=client_credentials'));
        // ...and never closes.
      },
    });
    const started = Date.now();
    const res = await s.gh.fetch(
      new Request(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(408);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers 413 to a streamed body over the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (n++ < 4) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await s.gh.fetch(
      new Request(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
  });
});
