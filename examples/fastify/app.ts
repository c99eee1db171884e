/**
 * Gatehouse inside a Fastify app: Fastify serves `/api/*`, protected by the
 * resource-server middleware; every other path goes to Gatehouse.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createGatehouse, type GatehouseOptions } from 'gatehouse';
import { createResourceServer, type AccessTokenInfo } from 'gatehouse/resource-server';
import { exampleConfig } from '../shared/config.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AccessTokenInfo | null;
  }
}

export async function createApp(issuer: string, options: GatehouseOptions = {}) {
  const gh = await createGatehouse(exampleConfig(issuer), options);
  // The API only needs the issuer and its audience: it reads the JWKS from the issuer's metadata.
  const rs = createResourceServer({ issuer, audience: 'api' });

  const app = Fastify();
  app.decorateRequest('auth', null);
  // The resource server as a Fastify preHandler: refuse, or put the token on the request.
  const requireScopes = (scopes: string[]) => async (req: FastifyRequest, reply: FastifyReply) => {
    const result = await rs.verifyNode(req.raw, { scopes });
    if (!result.ok) return reply.code(result.failure.status).headers(result.failure.headers).send(result.failure.body);
    req.auth = result.auth;
  };

  app.get('/api/hello', { preHandler: requireScopes(['api']) }, async (req) => {
    // requireScopes answered 401/403 unless it set req.auth, so it is set here.
    const auth = req.auth as AccessTokenInfo;
    return { message: `Hello, ${auth.subject}`, scopes: auth.scopes };
  });
  app.get('/api/admin', { preHandler: requireScopes(['api.admin']) }, async () => ({ message: 'admin area' }));

  // Gatehouse answers everything outside /api: hand over the raw request before Fastify reads the body.
  app.addHook('onRequest', (req, reply, done) => {
    if (req.url.startsWith('/api/')) {
      done();
      return;
    }
    reply.hijack();
    gh.handler(req.raw, reply.raw);
  });

  return {
    app,
    gh,
    async close() {
      await app.close();
      await gh.close();
    },
  };
}
