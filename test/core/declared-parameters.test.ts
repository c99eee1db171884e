/**
 * Parameters are checked once, before a handler runs, from the declaration of
 * the endpoint and of the requested grant (core/parameters.ts): a grant may
 * declare a parameter that repeats or is longer than `server.parameterLimit`;
 * every other parameter keeps the endpoint's rules and error answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantHandler } from '../../src/context.js';
import { noStoreJson } from '../../src/core/types.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';

const LIMIT = 300;
const seen: Record<string, string[]>[] = [];
const exchange: GrantHandler = {
  grantType: 'urn:test:declared',
  parameters: ['scope', { name: 'audience', repeated: true }, { name: 'subject_token', maxLength: 4000, required: true }],
  async handle(req) {
    seen.push(Object.fromEntries(req.body));
    return noStoreJson({ ok: true });
  },
};

describe('declared parameters', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        c.server = { ...c.server, parameterLimit: LIMIT };
        const m2m = (c.clients as { clientId: string; allowedGrantTypes: string[] }[]).find((x) => x.clientId === 'm2m')!;
        m2m.allowedGrantTypes.push(exchange.grantType);
      },
      options: { grants: [exchange] },
    });
  });
  afterAll(() => s.close());
  const post = (path: string, body: string, query = '') =>
    fetch(`${s.url}${path}${query}`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  const grant = `grant_type=${encodeURIComponent(exchange.grantType)}`;

  it('lets a grant declare a repeated parameter and a long one', async () => {
    seen.length = 0;
    const res = await post('/connect/token', `${grant}&audience=a&audience=b&subject_token=${'t'.repeat(LIMIT + 100)}`);
    expect(res.status).toBe(200);
    expect(seen[0].audience).toEqual(['a', 'b']);
  });

  it('keeps the endpoint rules for what the grant does not declare, before the handler runs', async () => {
    seen.length = 0;
    const repeated = await post('/connect/token', `${grant}&subject_token=x&scope=a&scope=b`);
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toEqual({ error: 'invalid_request', error_description: 'parameter scope must not be repeated' });
    const long = await post('/connect/token', `${grant}&subject_token=${'t'.repeat(4001)}`);
    expect(await long.json()).toEqual({ error: 'invalid_request', error_description: 'parameter subject_token is too long' });
    const other = await post('/connect/token', `${grant}&subject_token=x&other=${'o'.repeat(LIMIT + 1)}`);
    expect(await other.json()).toEqual({ error: 'invalid_request', error_description: 'parameter other is too long' });
    expect(seen).toEqual([]);
  });

  it('answers a declared required parameter that is missing', async () => {
    const res = await post('/connect/token', grant);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'missing required parameter: subject_token' });
  });

  it('does not let another grant repeat what one grant declares repeatable', async () => {
    const res = await post('/connect/token', 'grant_type=client_credentials&audience=a&audience=b');
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'parameter audience must not be repeated' });
  });

  it('still refuses query parameters and repeats at revocation and introspection', async () => {
    const q = await post('/connect/revocation', 'token=x', '?token=y');
    expect(await q.json()).toEqual({ error: 'invalid_request', error_description: 'revocation parameters must be sent in the request body' });
    const r = await post('/connect/introspect', 'token=x&token=y');
    expect(await r.json()).toEqual({ error: 'invalid_request', error_description: 'parameter token must not be repeated' });
  });
});
