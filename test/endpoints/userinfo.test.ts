import { afterEach, describe, expect, it } from 'vitest';
import { verifiedJwtCache } from '../../src/tokens/verified-jwt-cache.js';
import { createHarness, NOW, REDIRECT, SECRETS, type HarnessOptions, type Harness } from '../grants/context.js';

let h: Harness;
afterEach(async () => h?.close());

/** A harness and the tokens of one code redemption by 'web'. */
async function tokensFor(scopes?: string[], opts: HarnessOptions = {}, subjectId?: string) {
  h = await createHarness(opts);
  if (subjectId === 'carol') {
    await h.ctx.backend.users.insert({
      subjectId: 'carol',
      username: 'carol',
      passwordHash: '$argon2id$unused',
      claims: { name: 'Carol' },
      isActive: true,
      createdAt: NOW,
      updatedAt: NOW,
    });
  }
  const res = await h.redeem({ subjectId, payload: scopes ? { scopes } : {} });
  expect(res.status).toBe(200);
  return res.json as { access_token: string; refresh_token?: string; id_token?: string };
}

const get = (headers: Record<string, string> = {}, query = '') => h.fetch(`/connect/userinfo${query}`, { headers });
const post = (body: string, headers: Record<string, string> = {}) =>
  h.fetch('/connect/userinfo', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

async function expectBearerError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="gatehouse", error="${error}"`));
  expect(((await res.json()) as { error: string }).error).toBe(error);
}

describe('userinfo endpoint', () => {
  it('answers GET with a Bearer header: sub and the claims of the granted identity scopes', async () => {
    const { access_token } = await tokensFor();
    const res = await get({ authorization: `Bearer ${access_token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      sub: 'alice',
      name: 'Alice Smith',
      given_name: 'Alice',
      family_name: 'Smith',
      website: 'https://alice.example.com',
      email: 'alice@example.com',
      email_verified: true,
    });
  });

  it('releases only the claims of the scopes in the token', async () => {
    const { access_token } = await tokensFor(['openid', 'email']);
    expect(await (await get({ authorization: `Bearer ${access_token}` })).json()).toEqual({
      sub: 'alice',
      email: 'alice@example.com',
      email_verified: true,
    });
    await h.close();
    const profileOnly = await tokensFor(['openid', 'profile']);
    const body = (await (await get({ authorization: `Bearer ${profileOnly.access_token}` })).json()) as Record<string, unknown>;
    expect(body.name).toBe('Alice Smith');
    expect(body.email).toBeUndefined();
  });

  it('accepts the bearer scheme in any case and the token in a POST form body (RFC 6750 §2.2)', async () => {
    const { access_token } = await tokensFor();
    expect((await get({ authorization: `bearer ${access_token}` })).status).toBe(200);
    expect((await post(`access_token=${access_token}`)).status).toBe(200);
    const headerPost = await h.fetch('/connect/userinfo', { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
    expect(headerPost.status).toBe(200);
  });

  it('answers reference access tokens', async () => {
    const { access_token } = await tokensFor(undefined, { web: { accessTokenType: 'reference' } });
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
  });

  it('answers a request without a token with the bare challenge (RFC 6750 §3.1)', async () => {
    await tokensFor();
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
  });

  it('refuses a token in the query string and a token sent two ways', async () => {
    const { access_token } = await tokensFor();
    await expectBearerError(await get({}, `?access_token=${access_token}`), 400, 'invalid_request');
    await expectBearerError(await post(`access_token=${access_token}`, { authorization: `Bearer ${access_token}` }), 400, 'invalid_request');
    await expectBearerError(await post(`access_token=${access_token}&access_token=${access_token}`), 400, 'invalid_request');
  });

  it('refuses a body token that is not form-encoded', async () => {
    const { access_token } = await tokensFor();
    const res = await h.fetch('/connect/userinfo', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `access_token=${access_token}` });
    await expectBearerError(res, 400, 'invalid_request');
  });

  it('answers invalid_token for unknown tokens, refresh tokens and ID tokens', async () => {
    const { refresh_token, id_token } = await tokensFor();
    await expectBearerError(await get({ authorization: 'Bearer not-a-token' }), 401, 'invalid_token');
    await expectBearerError(await get({ authorization: `Bearer ${refresh_token}` }), 401, 'invalid_token');
    await expectBearerError(await get({ authorization: `Bearer ${id_token}` }), 401, 'invalid_token');
  });

  it('answers invalid_token for an expired token', async () => {
    const { access_token } = await tokensFor();
    h.clock.advance(3600);
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 401, 'invalid_token');
  });

  it('answers invalid_token for a token revoked by a code replay', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const first = await h.token(form);
    await h.token(form);
    await expectBearerError(await get({ authorization: `Bearer ${first.json.access_token}` }), 401, 'invalid_token');
  });

  it('answers insufficient_scope (403) for a token without openid (OIDC Core §5.3.3)', async () => {
    const { access_token } = await tokensFor(['api.read']);
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 403, 'insufficient_scope');
  });

  it('answers invalid_token when the user is no longer active', async () => {
    const { access_token } = await tokensFor(['openid', 'profile'], {}, 'carol');
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    await h.ctx.backend.users.update('carol', { isActive: false });
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 401, 'invalid_token');
  });
});

describe('userinfo with the verified-token cache', () => {
  const jtiOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).jti as string;
  const revokeForm = (token: string) => new URLSearchParams({ token, token_type_hint: 'access_token' });

  it('caches a verified token once and answers it again from the cache', async () => {
    const { access_token } = await tokensFor();
    const cache = verifiedJwtCache(h.ctx);
    expect(cache.size).toBe(0);
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    expect(cache.size).toBe(1);
    expect(cache.get(access_token, h.clock.now())?.claims.sub).toBe('alice');
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    expect(cache.size).toBe(1);
  });

  it('answers invalid_token at once when a cached token is revoked (revocation endpoint)', async () => {
    const { access_token } = await tokensFor();
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    const revoked = await h.fetch('/connect/revocation', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`web:${SECRETS.web}`).toString('base64')}` },
      body: revokeForm(access_token),
    });
    expect(revoked.status).toBe(200);
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 401, 'invalid_token');
  });

  it('answers invalid_token when another node revokes a cached token (shared store)', async () => {
    const { access_token } = await tokensFor();
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    // What another node's revocation writes: a revoked_jti record in the shared store.
    await h.ctx.backend.records.put({ kind: 'revoked_jti', id: jtiOf(access_token), createdAt: NOW, expiresAt: NOW + 7200, payload: {} });
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 401, 'invalid_token');
  });

  it('answers invalid_token when a cached token of a replayed code is revoked', async () => {
    h = await createHarness();
    const { code, verifier } = await h.issueCode();
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier };
    const first = await h.token(form);
    expect((await get({ authorization: `Bearer ${first.json.access_token}` })).status).toBe(200);
    expect((await h.token(form)).json.error).toBe('invalid_grant');
    await expectBearerError(await get({ authorization: `Bearer ${first.json.access_token}` }), 401, 'invalid_token');
  });

  it('does not cache a token that fails verification, and a cached token expires with exp', async () => {
    const { access_token } = await tokensFor();
    const [header, payload, signature] = access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${signature}`;
    await expectBearerError(await get({ authorization: `Bearer ${forged}` }), 401, 'invalid_token');
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectBearerError(await get({ authorization: `Bearer ${flipped}` }), 401, 'invalid_token');
    expect(verifiedJwtCache(h.ctx).size).toBe(0);
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    h.clock.advance(3600);
    await expectBearerError(await get({ authorization: `Bearer ${access_token}` }), 401, 'invalid_token');
    expect(verifiedJwtCache(h.ctx).size).toBe(0);
  });

  it('keeps one cache per provider', async () => {
    const { access_token } = await tokensFor();
    const first = h;
    expect((await get({ authorization: `Bearer ${access_token}` })).status).toBe(200);
    const other = await createHarness();
    try {
      expect(verifiedJwtCache(other.ctx).size).toBe(0);
      expect(verifiedJwtCache(first.ctx).size).toBe(1);
    } finally {
      await other.close();
    }
  });
});
