/**
 * The pushed authorization request endpoint (RFC 9126) through real HTTP:
 * client authentication as at the token endpoint, validation as at the
 * authorization endpoint, JSON errors (§2.3), and the request_uri at the
 * authorization endpoint: single use, short-lived, bound to its client (§4),
 * required per client and globally (§5).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { expectErrorPage, expectRedirectError } from '../interaction/interaction-helpers.js';
import { post } from './helpers.js';
import { makeProof, proofKey } from '../proof/dpop-proofs.js';

const URN = 'urn:ietf:params:oauth:request_uri:';
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');

let s: TestServer;
let global: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    mutate: (c) => {
      c.clients!.push({
        clientId: 'other.confidential',
        clientSecrets: [{ value: sha256('secret') }],
        allowedGrantTypes: ['authorization_code'],
        redirectUris: [CONFIDENTIAL_REDIRECT],
        allowedScopes: ['openid', 'profile'],
      });
    },
  });
  global = await startTestServer({ mutate: (c) => void (c.pushedAuthorization = { required: true, lifetime: 90 }) });
});
afterAll(async () => {
  await s?.close();
  await global?.close();
});

const authHeader = (id = 'interactive.confidential') => ({ authorization: basic(id, 'secret') });
async function pushed(extra: Record<string, string> = {}, server = s, id = 'interactive.confidential') {
  const { challenge, verifier } = await pkce();
  const params = {
    response_type: 'code',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    scope: 'openid profile',
    state: 'pushed-state',
    nonce: 'pushed-nonce',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  return { answer: await post(server.url, '/connect/par', params, authHeader(id)), verifier };
}
const authorize = (server: TestServer, q: Record<string, string>) => fetch(`${server.url}/connect/authorize?${new URLSearchParams(q)}`, { redirect: 'manual' });

describe('PAR endpoint (RFC 9126 §2)', () => {
  it('answers 201 with a urn request_uri and expires_in, not cacheable; discovery advertises the endpoint', async () => {
    const { answer } = await pushed();
    expect(answer.status).toBe(201);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.expires_in).toBe(60);
    const uri = answer.body.request_uri as string;
    expect(uri.startsWith(URN)).toBe(true);
    // §2.2: a cryptographically random part (256 bits here).
    expect(uri.slice(URN.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.pushed_authorization_request_endpoint).toBe(`${s.url}/connect/par`);
    expect(doc.require_pushed_authorization_requests).toBe(false);
    expect(doc.request_uri_parameter_supported).toBe(true);
  });

  it('a pushed request runs the code flow; the authorization endpoint uses only the pushed parameters', async () => {
    const { answer, verifier } = await pushed();
    // Outer parameters beside request_uri are ignored (RFC 9126 §4, RFC 9101 §6.3): another state and scope are not used.
    const flow = await authorizeWithLogin(s.url, { params: { request_uri: answer.body.request_uri as string, state: 'outer', scope: 'openid email' } });
    expect(flow.callback.searchParams.get('state')).toBe('pushed-state');
    const tokens = await exchangeCode(s.url, flow.code, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe('openid profile');
  });

  it('refuses failed client authentication with 401 invalid_client', async () => {
    const answer = await post(
      s.url,
      '/connect/par',
      { response_type: 'code', redirect_uri: CONFIDENTIAL_REDIRECT },
      { authorization: basic('interactive.confidential', 'wrong') },
    );
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('invalid_client');
    expect(answer.headers.get('www-authenticate')).toBeTruthy();
  });

  it('answers validation errors as JSON, never redirected: unregistered redirect_uri, bad response_type, bad scope, missing PKCE', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ scope: 'openid unknown-scope' }, 'invalid_scope'],
      [{ code_challenge: '' }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const { answer } = await pushed(extra);
      expect([answer.status, answer.body.error], JSON.stringify(extra)).toEqual([400, error]);
      expect(answer.headers.get('location')).toBeNull();
    }
  });

  it('refuses request_uri in the push (§2.1), the query string, GET, and a repeated parameter', async () => {
    expect((await pushed({ request_uri: `${URN}abc` })).answer.body.error).toBe('invalid_request');
    const query = await fetch(`${s.url}/connect/par?scope=openid`, {
      method: 'POST',
      headers: { ...authHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'response_type=code',
    });
    expect([query.status, ((await query.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
    expect((await fetch(`${s.url}/connect/par`)).status).toBe(405);
    const repeated = await post(s.url, '/connect/par', { response_type: 'code', scope: ['openid', 'profile'] }, authHeader());
    expect([repeated.status, repeated.body.error]).toEqual([400, 'invalid_request']);
  });
});

describe('request_uri at the authorization endpoint (RFC 9126 §4)', () => {
  it('is single use: a second use is invalid_request_uri on the error page', async () => {
    const { answer } = await pushed();
    const q = { client_id: 'interactive.confidential', request_uri: answer.body.request_uri as string };
    const first = await authorize(s, q);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toContain('/ui/login');
    await expectErrorPage(await authorize(s, q), 'invalid_request_uri');
  });

  it('expires after its lifetime', async () => {
    const { answer } = await pushed();
    s.clock.advance(61);
    try {
      await expectErrorPage(
        await authorize(s, { client_id: 'interactive.confidential', request_uri: answer.body.request_uri as string }),
        'invalid_request_uri',
      );
    } finally {
      s.clock.advance(-61);
    }
  });

  it("refuses another client's request_uri, an unknown one and one without client_id", async () => {
    const { answer } = await pushed();
    const uri = answer.body.request_uri as string;
    await expectErrorPage(await authorize(s, { client_id: 'other.confidential', request_uri: uri }), 'invalid_request_uri');
    await expectErrorPage(await authorize(s, { client_id: 'interactive.confidential', request_uri: `${URN}not-a-pushed-request` }), 'invalid_request_uri');
    await expectErrorPage(await authorize(s, { request_uri: uri }), 'invalid_request');
    await expectErrorPage(
      await authorize(s, { client_id: 'interactive.confidential', request_uri: 'https://client.example/request.jwt' }),
      'request_uri_not_supported',
    );
  });

  it('interactive.confidential.par must push: plain parameters are refused (to the registered redirect_uri, else the error page), a pushed request works', async () => {
    const { challenge } = await pkce();
    const plain = {
      client_id: 'interactive.confidential.par',
      response_type: 'code',
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid',
      state: 'plain-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const refused = expectRedirectError(await authorize(s, plain), { issuer: s.url, error: 'invalid_request', state: 'plain-state' });
    expect(refused.get('error_description')).toContain('pushed authorization requests');
    const html = await expectErrorPage(await authorize(s, { ...plain, redirect_uri: 'https://evil.example/cb' }), 'invalid_request');
    expect(html).toContain('pushed authorization requests');
    const { answer, verifier } = await pushed({}, s, 'interactive.confidential.par');
    expect(answer.status).toBe(201);
    const flow = await authorizeWithLogin(s.url, { clientId: 'interactive.confidential.par', params: { request_uri: answer.body.request_uri as string } });
    expect((await exchangeCode(s.url, flow.code, verifier, 'interactive.confidential.par')).status).toBe(200);
  });

  it('pushedAuthorization.required refuses plain parameters for every client and is advertised', async () => {
    const doc = (await (await fetch(`${global.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.require_pushed_authorization_requests).toBe(true);
    const { challenge } = await pkce();
    expectRedirectError(
      await authorize(global, {
        client_id: 'interactive.public',
        response_type: 'code',
        redirect_uri: 'http://localhost:3000/spa/callback',
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { issuer: global.url, error: 'invalid_request', redirectUri: 'http://localhost:3000/spa/callback' },
    );
    const { answer } = await pushed({}, global);
    expect([answer.status, answer.body.expires_in]).toEqual([201, 90]);
    const res = await authorize(global, { client_id: 'interactive.confidential', request_uri: answer.body.request_uri as string });
    expect(res.headers.get('location')).toContain('/ui/login');
  });

  it('a public client pushes with its client_id (auth method none)', async () => {
    const { challenge } = await pkce();
    const answer = await post(s.url, '/connect/par', {
      client_id: 'interactive.public',
      response_type: 'code',
      redirect_uri: 'http://localhost:3000/spa/callback',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(answer.status, answer.text).toBe(201);
  });

  it('a DPoP proof with the push binds the code to its key (RFC 9449 §10.1): the token request must prove it', async () => {
    const key = await proofKey();
    const { challenge, verifier } = await pkce();
    const params = { response_type: 'code', redirect_uri: CONFIDENTIAL_REDIRECT, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' };
    const dpop = await makeProof(key, 'POST', `${s.url}/connect/par`, s.clock.now());
    const answer = await post(s.url, '/connect/par', params, { ...authHeader(), dpop });
    expect(answer.status, answer.text).toBe(201);
    const flow = await authorizeWithLogin(s.url, { params: { request_uri: answer.body.request_uri as string } });
    const plain = await exchangeCode(s.url, flow.code, verifier);
    expect(plain.status).toBe(400);
    const again = await authorizeWithLogin(s.url, {
      jar: flow.jar,
      params: {
        request_uri: (await post(s.url, '/connect/par', params, { ...authHeader(), dpop: await makeProof(key, 'POST', `${s.url}/connect/par`, s.clock.now()) }))
          .body.request_uri as string,
      },
    });
    const res = await post(
      s.url,
      '/connect/token',
      { grant_type: 'authorization_code', code: again.code, redirect_uri: CONFIDENTIAL_REDIRECT, code_verifier: verifier },
      { ...authHeader(), dpop: await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now()) },
    );
    expect([res.status, res.body.token_type]).toEqual([200, 'DPoP']);
  });
});
