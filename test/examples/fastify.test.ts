/** examples/fastify: Gatehouse and a protected API in one Fastify app. */
import { afterAll, beforeAll, describe, it } from 'vitest';
import pino from 'pino';
import { createApp } from '../../examples/fastify/app.js';
import { freePort } from '../helpers/ports.js';
import { signInAndCallApi } from './example-flow.js';

describe('example: Fastify', () => {
  let issuer: string;
  let example: Awaited<ReturnType<typeof createApp>>;
  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    example = await createApp(issuer, { logger: pino({ level: 'silent' }), timers: false });
    await example.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(() => example?.close());

  it('signs alice in with openid-client and calls the protected API', () => signInAndCallApi(issuer));
});
