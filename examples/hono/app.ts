/**
 * Gatehouse behind Hono's fetch handler (served by @hono/node-server here;
 * the same app runs on Bun or Deno): Hono serves `/api/*`, protected by the
 * resource-server middleware; every other path goes to `gh.fetch`.
 */
import { Hono } from 'hono';
import { createGatehouse, type GatehouseOptions } from 'gatehouse';
import { createResourceServer, type AccessTokenInfo } from 'gatehouse/resource-server';
import { exampleConfig } from '../shared/config.js';

/**
 * The client's address, which a Request does not carry: @hono/node-server
 * passes the node request as `env.incoming`, Bun passes its server (`requestIP`).
 * Gatehouse uses it for per-address rate limits and the login lockout.
 */
function peerAddress(request: Request, env: unknown): string | undefined {
  const e = env as { incoming?: { socket?: { remoteAddress?: string } }; requestIP?: (r: Request) => { address: string } | null } | undefined;
  return e?.incoming?.socket?.remoteAddress ?? e?.requestIP?.(request)?.address;
}

export async function createApp(issuer: string, options: GatehouseOptions = {}) {
  const gh = await createGatehouse(exampleConfig(issuer), { clientAddress: peerAddress, ...options });
  const rs = createResourceServer({ issuer, audience: 'api' });

  const app = new Hono<{ Variables: { auth: AccessTokenInfo } }>();
  app.get('/api/hello', rs.hono({ scopes: ['api'] }), (c) => c.json({ message: `Hello, ${c.get('auth').subject}`, scopes: c.get('auth').scopes }));
  app.get('/api/admin', rs.hono({ scopes: ['api.admin'] }), (c) => c.json({ message: 'admin area' }));
  app.all('*', (c) => gh.fetch(c.req.raw, c.env));
  return { app, gh, close: () => gh.close() };
}
