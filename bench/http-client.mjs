/**
 * A minimal keep-alive HTTP/1.1 client on node:http for the Node load
 * generators (no fetch: undici's overhead would bound the load generator
 * before the server).
 *
 * @example
 * const client = createClient('http://127.0.0.1:5000', 32);
 * const res = await client.request('GET', '/health');
 * res.status // 200
 */
import http from 'node:http';

/** A client bound to one origin with a keep-alive pool of `connections` sockets. */
export function createClient(base, connections) {
  const origin = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections, scheduling: 'fifo' });
  const hostname = origin.hostname;
  const port = Number(origin.port || 80);

  /**
   * Sends one request; resolves with status, headers and the body as a string
   * (or undefined when `discardBody`). Rejects on socket errors.
   */
  function request(method, path, headers = {}, body = undefined, discardBody = false) {
    return new Promise((resolve, reject) => {
      const req = http.request({ agent, hostname, port, method, path, headers }, (res) => {
        if (discardBody) {
          res.on('data', noop);
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: undefined }));
          return;
        }
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  return { request, close: () => agent.destroy() };
}

function noop() {}

/** A per-flow cookie jar: name -> value, fed from Set-Cookie response headers. */
export class CookieJar {
  constructor() {
    this.cookies = new Map();
  }

  store(headers) {
    const lines = headers['set-cookie'];
    if (!lines) return;
    for (const line of lines) {
      const pair = line.slice(0, line.indexOf(';') === -1 ? line.length : line.indexOf(';'));
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    let out = '';
    for (const [k, v] of this.cookies) out += (out ? '; ' : '') + k + '=' + v;
    return out;
  }
}

/** `Basic` authorization header value for client_secret_basic (RFC 6749 §2.3.1). */
export const basicAuth = (id, secret) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
