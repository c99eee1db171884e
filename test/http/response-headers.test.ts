/** Security, cache, CORS and request-id headers on every response (DESIGN.md "HTTP and UI"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';

const SPA = 'http://localhost:3000';

describe('response headers', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  /** A spread of requests: successes, client errors, other methods, unknown paths. */
  const requests = (): [string, () => Promise<Response>][] => [
    ['discovery', () => fetch(`${s.url}/.well-known/openid-configuration`)],
    ['discovery HEAD', () => fetch(`${s.url}/.well-known/openid-configuration`, { method: 'HEAD' })],
    ['jwks', () => fetch(`${s.url}/.well-known/openid-configuration/jwks`)],
    ['health', () => fetch(`${s.url}/health`)],
    [
      'token 200',
      () =>
        fetch(`${s.url}/connect/token`, {
          method: 'POST',
          headers: { authorization: basic('m2m', 'secret') },
          body: form({ grant_type: 'client_credentials' }),
        }),
    ],
    [
      'token 401',
      () =>
        fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: basic('m2m', 'x') }, body: form({ grant_type: 'client_credentials' }) }),
    ],
    ['token 405', () => fetch(`${s.url}/connect/token`)],
    ['token 413', () => fetch(`${s.url}/connect/token`, { method: 'POST', body: form({ grant_type: 'x'.repeat(70_000) }) })],
    ['introspect 401', () => fetch(`${s.url}/connect/introspect`, { method: 'POST', body: form({ token: 'x' }) })],
    ['revocation 400', () => fetch(`${s.url}/connect/revocation`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })],
    ['404', () => fetch(`${s.url}/nowhere`)],
    ['OPTIONS', () => fetch(`${s.url}/connect/token`, { method: 'OPTIONS', headers: { origin: SPA, 'access-control-request-method': 'POST' } })],
  ];

  it('sends nosniff and a CSP forbidding framing on every response, and a request id on every dynamic one', async () => {
    for (const [name, send] of requests()) {
      const res = await send();
      await res.arrayBuffer();
      expect(res.status, name).toBeLessThan(500);
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('content-security-policy'), name).toContain("frame-ancestors 'none'");
      // Discovery and JWKS are ready bytes served without a request object (the fast path).
      if (!/^(discovery|jwks)/.test(name)) expect(res.headers.get('x-request-id'), name).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      // Page-only headers (X-Frame-Options, Referrer-Policy) are for what browsers navigate to.
      expect(res.headers.get('x-frame-options'), name).toBeNull();
    }
  });

  it('every response states its exact Content-Length instead of chunked framing (HEAD: the GET length)', async () => {
    for (const [name, send] of requests()) {
      const res = await send();
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status === 204) continue;
      expect(res.headers.get('transfer-encoding'), name).toBeNull();
      const length = Number(res.headers.get('content-length'));
      if (name.endsWith('HEAD')) expect(length, name).toBeGreaterThan(0);
      else expect(length, name).toBe(body.byteLength);
    }
    // A page with non-ASCII text: the length counts UTF-8 bytes, not characters.
    const page = await fetch(`${s.url}/ui/?ui_locales=de`);
    const bytes = new Uint8Array(await page.arrayBuffer());
    expect(Number(page.headers.get('content-length'))).toBe(bytes.byteLength);
    const redirect = await fetch(`${s.url}/connect/authorize?client_id=nope`, { redirect: 'manual' });
    expect(Number(redirect.headers.get('content-length'))).toBe((await redirect.arrayBuffer()).byteLength);
  });

  it('a header set by a handler replaces the default of the same name, never duplicates it', async () => {
    const res = await fetch(`${s.url}/ui/`);
    await res.arrayBuffer();
    // Pages set their own CSP: exactly one policy, the page's.
    expect(res.headers.get('content-security-policy')).not.toContain(', ');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
  });

  it('pages and redirects also carry X-Frame-Options, Referrer-Policy and COOP', async () => {
    for (const url of [`${s.url}/ui/`, `${s.url}/connect/authorize?client_id=nope`]) {
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.headers.get('x-frame-options'), url).toBe('DENY');
      expect(res.headers.get('referrer-policy'), url).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy'), url).toBe('same-origin');
    }
  });

  it('echoes a safe incoming X-Request-Id and replaces an unsafe one', async () => {
    const ok = await fetch(`${s.url}/health`, { headers: { 'x-request-id': 'trace-42.abc_DEF' } });
    expect(ok.headers.get('x-request-id')).toBe('trace-42.abc_DEF');
    for (const bad of ['a b', 'x'.repeat(65), '<script>', 'a\tb']) {
      const res = await fetch(`${s.url}/health`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id'), bad).not.toBe(bad);
      expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    }
    const a = await fetch(`${s.url}/health`);
    const b = await fetch(`${s.url}/health`);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('marks token and error responses no-store with Pragma no-cache (RFC 6749 §5.1)', async () => {
    for (const auth of [basic('m2m', 'secret'), basic('m2m', 'wrong')]) {
      const res = await fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: auth }, body: form({ grant_type: 'client_credentials' }) });
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
    }
  });

  describe('CORS', () => {
    const tokenPost = (origin: string) =>
      fetch(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { origin, authorization: basic('m2m', 'secret') },
        body: form({ grant_type: 'client_credentials' }),
      });

    it("allows interactive.public's origin on the token endpoint, discovery and JWKS", async () => {
      const t = await tokenPost(SPA);
      expect(t.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(t.headers.get('vary')).toContain('Origin');
      for (const path of ['/.well-known/openid-configuration', '/.well-known/openid-configuration/jwks']) {
        const res = await fetch(s.url + path, { headers: { origin: SPA } });
        expect(res.headers.get('access-control-allow-origin'), path).toBe(SPA);
      }
    });

    it('answers a preflight for the allowed origin', async () => {
      const res = await fetch(`${s.url}/connect/token`, {
        method: 'OPTIONS',
        headers: { origin: SPA, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBe(SPA);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('gives an unknown origin no CORS headers', async () => {
      const t = await tokenPost('https://evil.example');
      expect(t.status).toBe(200);
      expect(t.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await fetch(`${s.url}/connect/token`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('access-control-allow-methods')).toBeNull();
      const d = await fetch(`${s.url}/.well-known/openid-configuration`, { headers: { origin: 'http://localhost:3001' } });
      expect(d.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('sends Vary: Origin on CORS routes even without an allowed origin, so shared caches keep answers apart', async () => {
      for (const headers of [{}, { origin: 'https://evil.example' }, { origin: SPA }] as Record<string, string>[]) {
        const res = await fetch(`${s.url}/.well-known/openid-configuration`, { headers });
        expect(res.headers.get('cache-control')).toContain('public');
        expect(res.headers.get('vary'), JSON.stringify(headers)).toContain('Origin');
      }
    });

    it('never allows CORS on introspection (server-to-server only)', async () => {
      const res = await fetch(`${s.url}/connect/introspect`, {
        method: 'POST',
        headers: { origin: SPA, authorization: basic('api', 'secret') },
        body: form({ token: 'x' }),
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
