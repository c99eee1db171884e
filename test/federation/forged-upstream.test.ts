/**
 * Bad answers from an upstream, from a small hand-rolled OpenID provider
 * whose token endpoint answers what each test sets: an ID token with a wrong
 * nonce, a wrong iss, a wrong signature, a token error (replayed code), and
 * an upstream that cannot be reached. Every one is a readable page (never a
 * 5xx) and counts in the federation failure metric.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { externalProviderSchema } from '../../src/federation/provider-schema.js';

let down: TestServer;
let upstream: { url: string; server: http.Server };
let key: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;
/** What the token endpoint answers next: given the nonce of the pending request. */
let answer: (nonce: string) => Promise<{ status: number; body: unknown }>;
let lastNonce = '';

beforeAll(async () => {
  ({ privateKey: key, publicKey: publicJwk } = await generateKeyPair('RS256').then(async (k) => ({
    privateKey: k.privateKey,
    publicKey: await exportJWK(k.publicKey),
  })));
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname === '/.well-known/openid-configuration') {
      json(200, {
        issuer: upstream.url,
        authorization_endpoint: `${upstream.url}/authorize`,
        token_endpoint: `${upstream.url}/token`,
        jwks_uri: `${upstream.url}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
      return;
    }
    if (u.pathname === '/me') {
      const ok = req.headers.authorization === 'Bearer oauth2-at';
      json(ok ? 200 : 401, ok ? { user_id: 42, display_name: 'Ann Other', mail: 'ann@legacy.example' } : { error: 'invalid_token' });
      return;
    }
    if (u.pathname === '/jwks') {
      json(200, { keys: [{ ...publicJwk, kid: 'k1', alg: 'RS256', use: 'sig' }] });
      return;
    }
    if (u.pathname === '/token') {
      req.resume();
      req.on('end', () => void answer(lastNonce).then((a) => json(a.status, a.body)));
      return;
    }
    json(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  down = await startTestServer();
  down.gh.context.config.externalProviders = [
    externalProviderSchema.parse({ name: 'forged', issuer: upstream.url, clientId: 'gatehouse', clientSecret: 'secret' }),
    externalProviderSchema.parse({
      name: 'legacy',
      type: 'oauth2',
      issuer: upstream.url,
      clientId: 'gatehouse',
      clientSecret: 'secret',
      authorizationEndpoint: `${upstream.url}/authorize`,
      tokenEndpoint: `${upstream.url}/token`,
      userinfoEndpoint: `${upstream.url}/me`,
      subjectClaim: 'user_id',
      claimMapping: { name: 'display_name', email: 'mail' },
    }),
    externalProviderSchema.parse({ name: 'gone', issuer: 'http://127.0.0.1:9', clientId: 'gatehouse', clientSecret: 'secret' }),
  ];
});
afterAll(async () => {
  upstream?.server.closeAllConnections();
  await new Promise((r) => upstream?.server.close(r));
  await down?.close();
});

const idToken = (claims: Record<string, unknown>, signer: CryptoKey = key) =>
  new SignJWT({ sub: 'u1', aud: 'gatehouse', ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('5m').sign(signer);

/** Starts a sign-in at `provider`; answers the upstream authorization URL and the browser. */
async function start(provider: string) {
  const jar = new CookieJar();
  const { challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 's',
    nonce: 'n',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    acr_values: `idp:${provider}`,
  });
  const login = (await jar.fetch(`${down.url}/connect/authorize?${q}`)).headers.get('location')!;
  const startUrl = (await jar.fetch(login)).headers.get('location')!;
  return { jar, res: await jar.fetch(startUrl) };
}

async function callbackWith(tokenAnswer: typeof answer, provider = 'forged') {
  const { jar, res } = await start(provider);
  const auth = new URL(res.headers.get('location')!);
  lastNonce = auth.searchParams.get('nonce')!;
  answer = tokenAnswer;
  const cb = await jar.fetch(`${down.url}/federation/${provider}/callback?${new URLSearchParams({ code: 'c', state: auth.searchParams.get('state')! })}`);
  return { status: cb.status, text: await cb.text(), location: cb.headers.get('location') };
}

const failures = async (reason: string) => {
  const text = (await down.gh.metrics!.render()).body;
  const line = text.split('\n').find((l) => l.startsWith(`gatehouse_federation_upstream_failures_total{provider="forged",reason="${reason}"}`));
  return Number(line?.split(' ').pop() ?? 0);
};

describe('a generic OAuth 2.0 provider', () => {
  it('signs in with the userinfo URL, the subject claim and the claim mapping (no ID token, no nonce)', async () => {
    const r = await callbackWith(async () => ({ status: 200, body: { access_token: 'oauth2-at', token_type: 'Bearer' } }), 'legacy');
    expect(r.status).toBe(303);
    expect(r.location).toContain('code=');
    const link = await down.gh.context.federation!.store.findLink(upstream.url, '42');
    const user = await down.gh.context.backend.users.findBySubject(link!.subjectId);
    expect(user?.claims).toEqual({ name: 'Ann Other', email: 'ann@legacy.example' });
  });

  it('a userinfo answer that is refused is a readable page', async () => {
    const r = await callbackWith(async () => ({ status: 200, body: { access_token: 'wrong', token_type: 'Bearer' } }), 'legacy');
    expect(r.status).toBe(400);
    expect(r.text).toContain('was not valid');
  });
});

describe('bad upstream answers', () => {
  it('accepts a correct ID token (the harness itself works)', async () => {
    const r = await callbackWith(async (nonce) => ({
      status: 200,
      body: { access_token: 'at', token_type: 'Bearer', id_token: await idToken({ iss: upstream.url, nonce }) },
    }));
    expect(r.status).toBe(303);
  });

  it('accepts the answer as a form post (response_mode=form_post, Apple)', async () => {
    const { jar, res } = await start('forged');
    const auth = new URL(res.headers.get('location')!);
    lastNonce = auth.searchParams.get('nonce')!;
    answer = async (nonce) => ({ status: 200, body: { access_token: 'at', token_type: 'Bearer', id_token: await idToken({ iss: upstream.url, nonce }) } });
    const cb = await jar.fetch(`${down.url}/federation/forged/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: 'c', state: auth.searchParams.get('state')! }).toString(),
    });
    expect(cb.status).toBe(303);
    expect(cb.headers.get('location')).toContain('code=');
  });

  it('an ID token with a wrong nonce is refused with a readable page', async () => {
    const before = await failures('invalid_id_token');
    const r = await callbackWith(async () => ({
      status: 200,
      body: { access_token: 'at', token_type: 'Bearer', id_token: await idToken({ iss: upstream.url, nonce: 'other' }) },
    }));
    expect(r.status).toBe(400);
    expect(r.text).toContain('could not be verified');
    expect(await failures('invalid_id_token')).toBe(before + 1);
  });

  it('an ID token with a wrong iss is refused', async () => {
    const r = await callbackWith(async (nonce) => ({
      status: 200,
      body: { access_token: 'at', token_type: 'Bearer', id_token: await idToken({ iss: 'https://evil.example', nonce }) },
    }));
    expect(r.status).toBe(400);
    expect(r.text).toContain('could not be verified');
  });

  it('an ID token signed with another key is refused', async () => {
    const r = await callbackWith(async (nonce) => ({
      status: 200,
      body: { access_token: 'at', token_type: 'Bearer', id_token: await idToken({ iss: upstream.url, nonce }, otherKey) },
    }));
    expect(r.status).toBe(400);
    expect(r.text).toContain('could not be verified');
  });

  it('a replayed code (the upstream answers invalid_grant) is a readable page', async () => {
    const r = await callbackWith(async () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'code already used' } }));
    expect(r.status).toBe(400);
    expect(r.text).toContain('refused the sign-in (invalid_grant)');
  });

  it('an unreachable upstream gives a clear message and a metric', async () => {
    const { res } = await start('gone');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('cannot be reached right now');
    const text = (await down.gh.metrics!.render()).body;
    expect(text).toMatch(/gatehouse_federation_upstream_failures_total\{provider="gone",reason="unreachable"\} 1/);
  });
});
