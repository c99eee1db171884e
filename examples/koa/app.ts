/**
 * Gatehouse inside a Koa app: Koa serves `/api/*`, protected by the
 * resource-server middleware; every other path goes to Gatehouse.
 */
import Koa, { type Context, type Next } from 'koa';
import { createGatehouse, type GatehouseOptions } from 'gatehouse';
import { createResourceServer, type AccessTokenInfo } from 'gatehouse/resource-server';
import { exampleConfig } from '../shared/config.js';

export async function createApp(issuer: string, options: GatehouseOptions = {}) {
  const gh = await createGatehouse(exampleConfig(issuer), options);
  const rs = createResourceServer({ issuer, audience: 'api' });

  // The resource server as Koa middleware: refuse, or put the token in ctx.state.auth.
  const requireScopes = (scopes: string[]) => async (ctx: Context, next: Next) => {
    const result = await rs.verifyNode(ctx.req, { scopes });
    if (!result.ok) return void ((ctx.status = result.failure.status), ctx.set(result.failure.headers), (ctx.body = result.failure.body));
    ctx.state.auth = result.auth;
    await next();
  };
  const routes: Partial<Record<string, (ctx: Context, next: Next) => Promise<void>>> = {
    '/api/hello': requireScopes(['api']),
    '/api/admin': requireScopes(['api.admin']),
  };

  const app = new Koa();
  app.use(async (ctx, next) => {
    // Gatehouse answers everything outside /api, on the raw node request and response.
    if (!ctx.path.startsWith('/api/')) {
      ctx.respond = false;
      gh.handler(ctx.req, ctx.res);
      return;
    }
    const route = routes[ctx.path];
    if (!route || ctx.method !== 'GET') return void (ctx.status = 404);
    await route(ctx, next);
  });
  app.use(async (ctx) => {
    const state = ctx.state as { auth: AccessTokenInfo }; // set by requireScopes
    ctx.body = ctx.path === '/api/hello' ? { message: `Hello, ${state.auth.subject}`, scopes: state.auth.scopes } : { message: 'admin area' };
  });
  return { app, gh, close: () => gh.close() };
}
