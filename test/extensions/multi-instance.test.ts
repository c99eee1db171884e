/** Several providers in one process (different issuers, clients, keys, users): nothing leaks between them. */
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/client-auth/secrets.js';
import type { GatehouseEvent } from '../../src/model/types.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest, userinfo } from './helpers.js';

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function introspect(base: string, token: string) {
  const res = await fetch(`${base}/connect/introspect`, {
    method: 'POST',
    headers: { authorization: basic('api', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ token }),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe('two Gatehouse instances in one process', () => {
  it('keep issuers, keys, clients, users, tokens and events apart', async () => {
    const eventsA: GatehouseEvent[] = [];
    const eventsB: GatehouseEvent[] = [];
    const a = await startTestServer({
      mutate: (c) => {
        c.clients!.push({
          clientId: 'only.a',
          clientSecrets: [{ value: hashSecret('a-secret') }],
          allowedGrantTypes: ['client_credentials'],
          allowedScopes: ['api'],
        });
        c.users!.push({ subjectId: 'a-9', username: 'dora', password: 'dora', claims: { name: 'Dora of A' } });
      },
      options: { events: (e) => void eventsA.push(e) },
    });
    servers.push(a);
    const b = await startTestServer({ options: { events: (e) => void eventsB.push(e) } });
    servers.push(b);
    expect(a.url).not.toBe(b.url);

    // Each one's tokens work at home.
    const flow = await authorizeWithLogin(a.url, { username: 'dora', password: 'dora' });
    const tokensA = await exchangeCode(a.url, flow.code, flow.verifier);
    expect(tokensA.status).toBe(200);
    expect(claimsOf(tokensA.body.access_token).iss).toBe(a.url);
    expect((await userinfo(a.url, tokensA.body.access_token)).body).toMatchObject({ sub: 'a-9', name: 'Dora of A' });
    // Twice at A, so A's verified-token cache holds it: B must still refuse it.
    expect((await userinfo(a.url, tokensA.body.access_token)).status).toBe(200);

    // A's token is refused by B: userinfo, introspection, refresh.
    const atB = await userinfo(b.url, tokensA.body.access_token);
    expect(atB.status).toBe(401);
    expect(atB.wwwAuthenticate).toMatch(/error="invalid_token"/);
    expect(await introspect(b.url, tokensA.body.access_token)).toEqual({ active: false });
    expect(await introspect(a.url, tokensA.body.access_token)).toMatchObject({ active: true, sub: 'a-9' });
    const refreshAtB = await tokenRequest(b.url, { grant_type: 'refresh_token', refresh_token: tokensA.body.refresh_token });
    expect(refreshAtB).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // A's code is unknown to B.
    const second = await authorizeWithLogin(a.url, { jar: flow.jar });
    expect((await exchangeCode(b.url, second.code, second.verifier)).body.error).toBe('invalid_grant');

    // A's client and user are unknown to B.
    expect((await tokenRequest(a.url, { grant_type: 'client_credentials', scope: 'api' }, 'only.a', 'a-secret')).status).toBe(200);
    expect(await tokenRequest(b.url, { grant_type: 'client_credentials', scope: 'api' }, 'only.a', 'a-secret')).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await b.gh.context.users.findBySubject('a-9')).toBeUndefined();
    await expect(authorizeWithLogin(b.url, { username: 'dora', password: 'dora' })).rejects.toThrow();

    // Different signing keys: no kid of A is published by B.
    const kids = async (base: string) =>
      ((await (await fetch(`${base}/.well-known/openid-configuration/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const kidsB = await kids(b.url);
    for (const kid of await kids(a.url)) expect(kidsB).not.toContain(kid);

    // Each bus saw only its own provider's events.
    expect(eventsA.some((e) => e.type === 'token_issued' && 'clientId' in e && e.clientId === 'only.a')).toBe(true);
    expect(eventsB.some((e) => e.type === 'token_issued')).toBe(false);
    expect(eventsB.some((e) => e.type === 'token_failed')).toBe(true);
  });
});
