/**
 * Requests that ask for a protocol upgrade (`Upgrade: websocket`, as found by
 * the fuzzer of issue 12 §2.12). Node's parser stops reading a connection
 * after an upgrade request's headers, so its body never arrives: the server
 * must answer at once and close, not wait for the body timeout (10 s by
 * default, as here). Each answer must arrive well within the 2 s wait.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Sends raw bytes; resolves with what the server sent and whether it closed the socket within `waitMs`. */
function raw(url: string, text: string, waitMs = 2000): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: got, closed: false });
    }, waitMs);
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: got, closed: true });
    });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(text));
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const head = (method: string, path: string, extra: string) =>
  `${method} ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Type: application/x-www-form-urlencoded\r\n${extra}\r\n`;

describe('requests with Upgrade', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  for (const path of ['/connect/introspect', '/connect/userinfo', '/connect/token', '/connect/revocation', '/connect/authorize']) {
    it(`a POST with a broken chunked body to ${path} is answered 400 and closed at once`, async () => {
      const r = await raw(s.url, head('POST', path, 'Transfer-Encoding: chunked\r\n') + 'zz\r\nabc\r\n');
      expect(statusOf(r.text)).toBe(400);
      expect(r.text.toLowerCase()).toContain('connection: close');
      expect(r.closed).toBe(true);
    });
  }

  it('a POST with a well-formed body and Upgrade is refused with an OAuth error, never processed without its body', async () => {
    const body = 'token=abc';
    const r = await raw(s.url, head('POST', '/connect/introspect', `Content-Length: ${body.length}\r\n`) + body);
    expect(statusOf(r.text)).toBe(400);
    expect(r.text).toContain('"error":"invalid_request"');
    expect(r.closed).toBe(true);
  });

  it('a bodyless GET with Upgrade is answered normally and the connection closed', async () => {
    const r = await raw(s.url, head('GET', '/.well-known/openid-configuration', ''));
    expect(statusOf(r.text)).toBe(200);
    expect(r.text).toContain('"issuer"');
    expect(r.closed).toBe(true);
  });
});
