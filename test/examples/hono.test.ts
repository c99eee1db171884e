/** examples/hono: Gatehouse's fetch handler and a protected API in one Hono app, served by @hono/node-server. */
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { serve } from '@hono/node-server';
import { createApp } from '../../examples/hono/app.js';
import { freePort } from '../helpers/ports.js';
import { signInAndCallApi } from './example-flow.js';

describe('example: Hono (fetch handler)', () => {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) warnings.push(String((JSON.parse(l) as { msg: unknown }).msg));
      cb();
    },
  });
  let issuer: string;
  let example: Awaited<ReturnType<typeof createApp>>;
  let server: Server;
  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    example = await createApp(issuer, { logger: pino({ level: 'warn' }, sink), timers: false });
    await new Promise<void>((r) => (server = serve({ fetch: example.app.fetch, port, hostname: '127.0.0.1' }, () => r()) as Server));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await example?.close();
  });

  it('signs alice in with openid-client and calls the protected API', () => signInAndCallApi(issuer));

  it('passes the client address to gh.fetch (no warning that per-address limits cannot apply)', () => {
    expect(warnings.filter((w) => w.includes('cannot know client addresses'))).toEqual([]);
  });
});
