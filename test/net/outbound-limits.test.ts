/**
 * The outbound client's limits against real servers on loopback: the total
 * time limit (no answer, a body that trickles), the size limit (declared,
 * chunked, counted while streaming), redirects refused, https required,
 * status, content type and JSON checks, and error messages that never carry
 * the response body.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundFetch, OutboundError, type OutboundPolicy, type OutboundReason } from '../../src/net/index.js';
import { startServer, type CountingServer } from './servers.js';

const SECRET = 'SECRET-BODY-TEXT';
let srv: CountingServer;
const open = new Set<ServerResponse>();

beforeAll(async () => {
  srv = await startServer((req, res) => {
    const path = req.url!;
    if (path === '/ok') return res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"keys":[]}');
    if (path === '/silent') return void open.add(res); // never answers
    if (path === '/trickle') {
      // Headers at once, then one byte every 50 ms: only the total limit ends it.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":"');
      const t = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/declared-huge') return res.writeHead(200, { 'content-length': String(10_000_000) }).end();
    if (path === '/chunked-huge') {
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked
      const chunk = 'x'.repeat(1024);
      let sent = 0;
      const push = () => {
        while (sent < 10_000 && res.write(chunk)) sent++;
        if (sent < 10_000) res.once('drain', push);
        else res.end();
      };
      res.on('close', () => (sent = 10_000));
      push();
      return;
    }
    if (path === '/no-length') {
      // No Content-Length and no chunking: the body ends when the connection closes.
      res.socket!.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${'y'.repeat(8000)}`);
      return res.socket!.end();
    }
    if (path === '/redirect') return res.writeHead(302, { location: `${srv.base}/ok` }).end();
    if (path === '/see-other') return res.writeHead(303, { location: `${srv.base}/ok` }).end();
    if (path === '/error') return res.writeHead(500, { 'content-type': 'application/json' }).end(`{"error":"${SECRET}"}`);
    if (path === '/html') return res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${SECRET}</p>`);
    if (path === '/not-json') return res.writeHead(200, { 'content-type': 'application/json' }).end(`{${SECRET}`);
    if (path === '/latin1') return res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.from([0x22, 0xff, 0x22]));
    if (path === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      return req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body })),
      );
    }
    res.writeHead(404).end();
  });
});

afterAll(async () => {
  for (const r of open) r.destroy();
  await srv.close();
});

// Loopback servers: the trusted policy lets these tests reach them (the address rules are in ssrf.test.ts).
const policy = (p: OutboundPolicy = {}): OutboundPolicy => ({ trusted: true, allowHttp: true, timeoutMs: 2000, maxBytes: 4096, ...p });

async function reason(p: Promise<unknown>): Promise<OutboundReason> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  expect((err as Error).message).not.toContain(SECRET);
  return (err as OutboundError).reason;
}

describe('outbound client: limits', () => {
  it('fetches a JSON document within the limits', async () => {
    const out = createOutboundFetch(policy());
    expect(await out.json(`${srv.base}/ok`, { contentTypes: ['application/json'] })).toEqual({ keys: [] });
    const res = await out(`${srv.base}/ok`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'application/json; charset=utf-8', '{"keys":[]}']);
  });

  it('sends a method, headers and a form body, also from a Request', async () => {
    const out = createOutboundFetch(policy());
    const res = await out(`${srv.base}/echo`, { method: 'POST', body: new URLSearchParams({ token: 'a b' }) });
    expect(await res.json()).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'token=a+b' });
    const viaRequest = await out(new Request(`${srv.base}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }));
    expect(await viaRequest.json()).toEqual({ method: 'POST', type: 'text/plain', body: 'hello' });
  });

  it('times out when the server never answers', async () => {
    const out = createOutboundFetch(policy({ timeoutMs: 300 }));
    expect(await reason(out(`${srv.base}/silent`))).toBe('timeout');
  });

  it('times out when the body trickles past the total limit (the limit covers the body too)', async () => {
    const out = createOutboundFetch(policy({ timeoutMs: 300 }));
    expect(await reason(out.json(`${srv.base}/trickle`))).toBe('timeout');
    const res = await out(`${srv.base}/trickle`);
    expect(await reason(res.text())).toBe('timeout');
  });

  it('refuses a declared Content-Length above the limit before reading', async () => {
    const out = createOutboundFetch(policy());
    expect(await reason(out(`${srv.base}/declared-huge`))).toBe('too_large');
  });

  it('counts a chunked body while it streams', async () => {
    const out = createOutboundFetch(policy());
    expect(await reason(out.json(`${srv.base}/chunked-huge`))).toBe('too_large');
    // The raw response's body stream stops at the limit too.
    const res = await out(`${srv.base}/chunked-huge`);
    expect(res.status).toBe(200);
    expect(await reason(res.arrayBuffer())).toBe('too_large');
  });

  it('counts a body that is sent without any length until the connection closes', async () => {
    expect(await reason(createOutboundFetch(policy()).text(`${srv.base}/no-length`))).toBe('too_large');
    expect((await createOutboundFetch(policy({ maxBytes: 10_000 })).text(`${srv.base}/no-length`)).length).toBe(8000);
  });

  it('does not follow redirects: a 3xx is an error and the target is not requested', async () => {
    const out = createOutboundFetch(policy());
    const before = srv.hits.filter((h) => h === '/ok').length;
    expect(await reason(out(`${srv.base}/redirect`))).toBe('redirect');
    expect(await reason(out.json(`${srv.base}/see-other`))).toBe('redirect');
    expect(srv.hits.filter((h) => h === '/ok').length).toBe(before);
  });

  it('checks status, content type, UTF-8 and JSON without quoting the body', async () => {
    const out = createOutboundFetch(policy());
    expect(await reason(out.json(`${srv.base}/error`))).toBe('status');
    expect(await reason(out.json(`${srv.base}/html`, { contentTypes: ['application/json', 'application/jwk-set+json'] }))).toBe('content_type');
    expect(await reason(out.json(`${srv.base}/not-json`))).toBe('not_json');
    expect(await reason(out.json(`${srv.base}/latin1`))).toBe('not_json');
    expect(await reason(out.json(`${srv.base}/missing`))).toBe('status');
    // The raw fetch answers a non-redirect status as a Response.
    expect((await out(`${srv.base}/error`)).status).toBe(500);
  });

  it('requires https unless the policy allows http; other schemes never', async () => {
    expect(await reason(createOutboundFetch({ ...policy(), allowHttp: false })(`${srv.base}/ok`))).toBe('scheme');
    expect(await reason(createOutboundFetch(policy())('file:///etc/passwd'))).toBe('scheme');
    expect(await reason(createOutboundFetch(policy())('ftp://127.0.0.1/x'))).toBe('scheme');
    expect(await reason(createOutboundFetch(policy())('not a url'))).toBe('scheme');
    expect(srv.hits).not.toContain('/etc/passwd');
  });

  it("passes a caller's abort reason through (jose maps a TimeoutError to JWKSTimeout)", async () => {
    const out = createOutboundFetch(policy({ timeoutMs: 5000 }));
    const err = await out(`${srv.base}/silent`, { signal: AbortSignal.timeout(200) }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('fails with network when nothing listens', async () => {
    const gone = await startServer((_q, r) => r.end());
    await gone.close();
    expect(await reason(createOutboundFetch(policy())(`${gone.base}/`))).toBe('network');
  });
});
