/**
 * Gatehouse behind Hono's fetch handler (served by @hono/node-server here;
 * the same app runs on Bun or Deno): Hono serves `/api/*`, protected by the
 * resource-server middleware; every other path goes to `gh.fetch`.
 */
import { Hono } from 'hono';
import { createGatehouse, type GatehouseOptions } from 'gatehouse';
import { createResourceServer, type AccessTokenInfo } from 'gatehouse/resource-server';
import { exampleConfig } from '../shared/config.js';

export async function createApp(issuer: string, options: GatehouseOptions = {}) {
  const gh = await createGatehouse(exampleConfig(issuer), options);
  const rs = createResourceServer({ issuer, audience: 'api' });

  const app = new Hono<{ Variables: { auth: AccessTokenInfo } }>();
  app.get('/api/hello', rs.hono({ scopes: ['api'] }), (c) => c.json({ message: `Hello, ${c.get('auth').subject}`, scopes: c.get('auth').scopes }));
  app.get('/api/admin', rs.hono({ scopes: ['api.admin'] }), (c) => c.json({ message: 'admin area' }));
  app.all('*', (c) => gh.fetch(c.req.raw));
  return { app, gh, close: () => gh.close() };
}
