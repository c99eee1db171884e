/**
 * Request handling at the edge: methods, content types, body size and time
 * limits, unknown paths, malformed bodies (DESIGN.md "HTTP and UI").
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';

const BODY_TIMEOUT_MS = 300;

/** Sends raw bytes on a socket; resolves with everything the server sent once it closes (or after `waitMs`). */
function raw(url: string, chunks: string[], waitMs = 5000): Promise<{ text: string; closed: boolean; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, ms: Date.now() - started });
    }, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, ms: Date.now() - started });
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

describe('request limits and edge cases', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, bodyTimeout: BODY_TIMEOUT_MS, bodyLimit: 8192 }) });
  });
  afterAll(() => s.close());
  const auth = basic('m2m', 'secret');

  it('answers 413 for a body over the limit (declared length)', async () => {
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&pad=' + 'x'.repeat(9000),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const head = `POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = 'x'.repeat(4000);
    const body = [1, 2, 3].map(() => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const r = await raw(s.url, [head, body]);
    expect(statusOf(r.text)).toBe(413);
  });

  it('answers 400 invalid_request for a wrong or missing content type', async () => {
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = { authorization: auth };
      const body = type === undefined ? new Blob(['grant_type=client_credentials']) : 'grant_type=client_credentials';
      if (type) headers['content-type'] = type;
      const res = await fetch(`${s.url}/connect/token`, { method: 'POST', headers, body });
      expect(res.status, String(type)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    }
  });

  it('accepts the form content type with a charset parameter and any case', async () => {
    const res = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
  });

  it('answers 405 with Allow for GET /connect/token (and PUT, DELETE)', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${s.url}/connect/token`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('answers 404 JSON for unknown paths', async () => {
    for (const path of ['/nowhere', '/connect/token/extra', '/.well-known/unknown', '/%zz']) {
      const res = await fetch(s.url + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error).toBeTypeOf('string');
    }
  });

  it('answers HEAD on discovery with headers only', async () => {
    const r = await raw(s.url, ['HEAD /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(statusOf(r.text)).toBe(200);
    expect(r.text.split('\r\n\r\n')[1]).toBe('');
  });

  it('refuses token parameters in the query string', async () => {
    const res = await fetch(`${s.url}/connect/token?scope=api`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers 408 to a slow body within the body timeout and closes the connection', async () => {
    const head = `POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n`;
    const r = await raw(s.url, [head, 'grant_type=client_'], 5000);
    expect(statusOf(r.text)).toBe(408);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(r.ms).toBeLessThan(3000);
  });

  it('closes the connection of a refused request whose announced body never arrives', async () => {
    const cases = [
      `POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\nabc`,
      `POST /.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc`,
      `PUT /connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc`,
      `POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n`,
      `GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc`,
    ];
    for (const request of cases) {
      const r = await raw(s.url, [request], 5000);
      const line = request.split('\r\n')[0];
      expect(statusOf(r.text), line).toBeLessThan(500);
      expect(r.closed, line).toBe(true);
      expect(r.ms, line).toBeLessThan(3000);
    }
  });

  it('keeps the connection usable after a refused request whose body was sent in full', async () => {
    const body = 'grant_type=client_credentials';
    const refused = `POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const next = `GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const r = await raw(s.url, [refused, next], 5000);
    const statuses = [...r.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([400, 200]);
  });

  it('answers a truncated chunked body with 400 or 408, never hanging', async () => {
    const head = `POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const r = await raw(s.url, [head, 'zz\r\nnot a chunk\r\n'], 5000);
    expect(r.closed).toBe(true);
    expect([400, 408]).toContain(statusOf(r.text));
  });

  it('does not answer 5xx to malformed percent-encoding in the body', async () => {
    for (const body of ['grant_type=%', 'grant_type=%zz', 'grant_type=client_credentials&scope=%E0%A4%A', '%%%=%%%', 'grant_type=%C0%AF', '=&=&&&=']) {
      const res = await fetch(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status, body).toBeLessThan(500);
      expect(res.status, body).toBeGreaterThanOrEqual(400);
    }
  });

  it('does not answer 5xx to malformed percent-encoding in the query or path', async () => {
    for (const path of ['/connect/token?%zz=1', '/.well-known/openid-configuration?%', '/connect/introspect?a=%E0%A4%A']) {
      const res = await fetch(s.url + path, {
        method: path.startsWith('/.well') ? 'GET' : 'POST',
        body: path.startsWith('/.well') ? undefined : 'token=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.status, path).toBeLessThan(500);
    }
  });
});
