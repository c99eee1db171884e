/** examples/hono: Gatehouse's fetch handler and a protected API in one Hono app, served by @hono/node-server. */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, it } from 'vitest';
import pino from 'pino';
import { serve } from '@hono/node-server';
import { createApp } from '../../examples/hono/app.js';
import { freePort } from '../helpers/ports.js';
import { signInAndCallApi } from './example-flow.js';

describe('example: Hono (fetch handler)', () => {
  let issuer: string;
  let example: Awaited<ReturnType<typeof createApp>>;
  let server: Server;
  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    example = await createApp(issuer, { logger: pino({ level: 'silent' }), timers: false });
    await new Promise<void>((r) => (server = serve({ fetch: example.app.fetch, port, hostname: '127.0.0.1' }, () => r()) as Server));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await example?.close();
  });

  it('signs alice in with openid-client and calls the protected API', () => signInAndCallApi(issuer));
});
