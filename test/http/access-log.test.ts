import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';

describe('server.accessLog', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, accessLog: true }), options: { logger: pino({ level: 'info' }, sink) } });
  });
  afterAll(() => s.close());

  it('logs one line per request with the request id, and never the query string or credentials', async () => {
    const res = await fetch(`${s.url}/connect/token?secret_in_query=1`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'req-123' },
      body: 'grant_type=client_credentials&scope=api',
    });
    await res.text();
    await new Promise((r) => setTimeout(r, 20));
    const line = lines.find((l) => l.requestId === 'req-123');
    expect(line).toMatchObject({ msg: 'request', method: 'POST', path: '/connect/token', status: 400 });
    const all = JSON.stringify(lines);
    expect(all).not.toContain('secret_in_query');
    expect(all).not.toContain(basic('m2m', 'secret').slice(6));
  });
});
