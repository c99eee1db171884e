/**
 * A misbehaving extension (a registered grant) cannot take the server down:
 * a throw becomes server_error without internals, a response node refuses to
 * write becomes a bare 500, and the next request is served normally.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantHandler } from '../../src/context.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';

const throwing: GrantHandler = {
  grantType: 'urn:test:throws',
  parameters: [],
  async handle() {
    throw new Error('database password is hunter2');
  },
};
const badHeader: GrantHandler = {
  grantType: 'urn:test:bad-header',
  parameters: [],
  async handle() {
    return { status: 200, headers: { 'x-broken': 'a\r\nset-cookie: injected=1' }, body: '{}' };
  },
};

describe('handler failures', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        const m2m = (c.clients as { clientId: string; allowedGrantTypes: string[] }[]).find((x) => x.clientId === 'm2m')!;
        m2m.allowedGrantTypes.push(throwing.grantType, badHeader.grantType);
      },
      options: { grants: [throwing, badHeader] },
    });
  });
  afterAll(() => s.close());
  const call = (grant_type: string) =>
    fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: basic('m2m', 'secret') }, body: form({ grant_type }) });

  it('answers server_error without internals when a handler throws', async () => {
    const res = await call(throwing.grantType);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error).toBe('server_error');
    expect(text).not.toContain('hunter2');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers a bare 500 when the response cannot be written, without header injection, and keeps serving', async () => {
    const res = await call(badHeader.grantType);
    expect(res.status).toBe(500);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-broken')).toBeNull();
    await res.arrayBuffer();
    const ok = await call('client_credentials');
    expect(ok.status).toBe(200);
  });

  it('the fetch adapter answers the same 500s', async () => {
    const req = (grant_type: string) =>
      new Request(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type }).toString(),
      });
    const thrown = await s.gh.fetch(req(throwing.grantType));
    expect(thrown.status).toBe(500);
    expect(await thrown.text()).not.toContain('hunter2');
    const bad = await s.gh.fetch(req(badHeader.grantType));
    expect(bad.status).toBe(500);
    expect(bad.headers.get('set-cookie')).toBeNull();
  });
});
