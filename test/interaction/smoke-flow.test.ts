import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';

describe('authorization code flow through the built-in pages', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  it('signs alice in and exchanges the code', async () => {
    const flow = await authorizeWithLogin(s.url);
    expect(flow.callback.searchParams.get('iss')).toBe(s.url);
    expect(flow.callback.searchParams.get('state')).toBe('st');
    const tok = await exchangeCode(s.url, flow.code, flow.verifier);
    expect(tok.status).toBe(200);
    expect(tok.body.id_token).toBeTypeOf('string');
    expect(tok.body.refresh_token).toBeTypeOf('string');
    const ui = await fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${tok.body.access_token}` } });
    expect(await ui.json()).toMatchObject({ sub: '1', email: 'AliceSmith@example.com' });
  });
});
