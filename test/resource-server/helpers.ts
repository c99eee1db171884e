/**
 * Test fixture for the resource server: a real Gatehouse (the authorization
 * server) and a node:http API protected by the middleware, each on its own
 * loopback port. The API answers the accepted token as JSON.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createResourceServer,
  type AccessTokenInfo,
  type Requirement,
  type ResourceServer,
  type ResourceServerOptions,
} from '../../src/resource-server/index.js';
import type { TestServer } from '../helpers/server.js';

export const SHA_SECRET = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

export interface Api {
  url: string;
  rs: ResourceServer;
  /** Outbound requests of the resource server by path (`/connect/introspect`: 2). */
  calls: Map<string, number>;
  get(token?: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, any> }>;
  close(): Promise<void>;
}

/** Starts an API on a free port whose `/api/*` route is protected by a resource server for `s`. */
export async function startApi(s: TestServer, options: Partial<ResourceServerOptions> = {}, requirement?: Requirement): Promise<Api> {
  const calls = new Map<string, number>();
  const rs = createResourceServer({
    issuer: s.url,
    audience: 'api',
    clock: () => s.clock.now(),
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      calls.set(path, (calls.get(path) ?? 0) + 1);
      return fetch(request);
    },
    ...options,
  });
  const guard = rs.node(requirement);
  const server = http.createServer((req, res) =>
    guard(req, res, (err) => {
      if (err) {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever the middleware passed on, shown as is
        res.writeHead(500).end(String(err));
        return;
      }
      const auth = (req as typeof req & { auth: AccessTokenInfo }).auth;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(auth));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    rs,
    calls,
    async get(token, headers = {}) {
      const res = await fetch(`${url}/api/test`, { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The parameters of a `WWW-Authenticate` challenge of one scheme, e.g. `Bearer error="x", scope="y"`. */
export function challengeParams(header: string | null): { scheme: string; params: Record<string, string> } {
  const text = header ?? '';
  const scheme = text.split(' ')[0];
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/([a-z_]+)="([^"]*)"/g)) params[m[1]] ??= m[2];
  return { scheme, params };
}
