/** Test servers for the outbound client: real node:http(s) servers on loopback that count their requests. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  /** `http://127.0.0.1:<port>` (or https). */
  base: string;
  port: number;
  /** Requests received, by path. */
  hits: string[];
  close(): Promise<void>;
}

export async function startServer(
  handler: http.RequestListener,
  opts: { host?: string; port?: number; tls?: { cert: string; key: string } } = {},
): Promise<CountingServer> {
  const hits: string[] = [];
  const listener: http.RequestListener = (req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  };
  const server = opts.tls ? https.createServer(opts.tls, listener) : http.createServer(listener);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const name = host.includes(':') ? `[${host}]` : host;
  return {
    base: `${opts.tls ? 'https' : 'http'}://${name}:${port}`,
    port,
    hits,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
