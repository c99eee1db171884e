/** examples/koa: Gatehouse and a protected API in one Koa app. */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, it } from 'vitest';
import pino from 'pino';
import { createApp } from '../../examples/koa/app.js';
import { freePort } from '../helpers/ports.js';
import { signInAndCallApi } from './example-flow.js';

describe('example: Koa', () => {
  let issuer: string;
  let example: Awaited<ReturnType<typeof createApp>>;
  let server: Server;
  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    example = await createApp(issuer, { logger: pino({ level: 'silent' }), timers: false });
    server = example.app.listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await example?.close();
  });

  it('signs alice in with openid-client and calls the protected API', () => signInAndCallApi(issuer));
});
