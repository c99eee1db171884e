/**
 * The `(req, res, next)` middleware in Express (a mounted router, so
 * `req.originalUrl` differs from `req.url`): `req.auth` for the handler, the
 * refusal written without reaching it, and errors of later handlers passed on.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { m2mToken } from '../endpoints/helpers.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { createResourceServer, type AuthenticatedRequest, type ProofInput } from '../../src/resource-server/index.js';

describe('resource server: Express middleware', () => {
  let s: TestServer;
  let server: Server;
  let base: string;
  const proofUrls: string[] = [];
  beforeAll(async () => {
    s = await startTestServer();
    const rs = createResourceServer({ issuer: s.url, audience: 'api', clock: () => s.clock.now() });
    // An mTLS-style verifier (Bearer scheme), only to observe the request it is given.
    const observed = createResourceServer({
      issuer: s.url,
      audience: 'api',
      origin: 'https://api.example.com',
      clock: () => s.clock.now(),
      proof: [{ confirmationMethod: 'x5t#S256', scheme: 'Bearer', verify: (i: ProofInput) => void proofUrls.push(`${i.request.method} ${i.request.url}`) }],
    });
    const router = express.Router();
    router.get('/orders', rs.node({ scopes: ['api'] }), (req, res) => res.json({ sub: (req as AuthenticatedRequest<typeof req>).auth.subject }));
    router.get('/admin', rs.node({ scopes: ['api.admin'] }), (_req, res) => res.json({ reached: true }));
    router.get('/boom', rs.node(), () => {
      throw new Error('handler failed');
    });
    router.get('/url', observed.node(), (req, res) => res.json({ url: (req as AuthenticatedRequest<typeof req>).auth.scheme }));
    const app = express();
    app.use('/v1', router);
    app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(500).json({ caught: err.message }));
    await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await s?.close();
  });
  const get = (path: string, token?: string) => fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('puts the token on req.auth and calls the route handler', async () => {
    const res = await get('/v1/orders', await m2mToken(s.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'm2m' });
  });

  it('answers refusals itself', async () => {
    const missing = await get('/v1/orders');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const scope = await get('/v1/admin', await m2mToken(s.url));
    expect(scope.status).toBe(403);
    expect(await scope.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it("passes a later handler's error to Express's error handler", async () => {
    const res = await get('/v1/boom', await m2mToken(s.url));
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ caught: 'handler failed' });
  });

  it('gives proof verifiers the full original URL on the configured origin', async () => {
    // An unbound Bearer token does not reach the verifier; a bound one does.
    expect((await get('/v1/url?x=1', await m2mToken(s.url))).status).toBe(200);
    expect(proofUrls).toEqual([]);
    const now = s.clock.now();
    const claims = { iss: s.url, sub: 'c', aud: 'api', client_id: 'c', jti: 'j', iat: now, exp: now + 60, cnf: { 'x5t#S256': 'h' } };
    const bound = await signJwt(claims, s.gh.context.keys.signingKey(), 'at+jwt');
    expect((await get('/v1/url?x=1', bound)).status).toBe(200);
    expect(proofUrls).toEqual(['GET https://api.example.com/v1/url?x=1']);
  });
});
