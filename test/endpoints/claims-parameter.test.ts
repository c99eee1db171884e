/**
 * The authorization endpoint's `claims` (OIDC Core §5.5) and `display`
 * (§3.1.2.1) parameters through real HTTP: every malformed `claims` is
 * invalid_request sent to the client; what a claims request may release
 * (allowed scopes, consent); a sub value (§5.5.1) and an essential acr
 * (§5.5.1.1) against an existing session with prompt=none; `display` checked
 * and shown to the pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';

let gh: TestServer;
beforeAll(async () => {
  gh = await startTestServer({
    mutate(c: ConfigInput) {
      c.authentication = { ...c.authentication, acr: { rules: [], default: 'urn:gatehouse:pwd' } };
      // Alice has a phone number; interactive.confidential is not allowed the phone scope.
      const alice = c.users?.find((u) => u.username === 'alice');
      if (alice) alice.claims = { ...alice.claims, phone_number: '+1 555 0100' };
    },
  });
});
afterAll(() => gh?.close());

const idTokenClaims = (idToken: string) => JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

/** An authorization request of interactive.confidential without a session; where the browser is sent. */
async function authorize(params: Record<string, string>, jar = new CookieJar()): Promise<URL> {
  const { challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  });
  const res = await jar.fetch(`${gh.url}/connect/authorize?${q}`);
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location')!, gh.url);
}

async function expectClientError(params: Record<string, string>, error: string, description?: RegExp, jar?: CookieJar) {
  const to = await authorize(params, jar);
  expect(to.origin + to.pathname).toBe(CONFIDENTIAL_REDIRECT);
  expect(to.searchParams.get('error')).toBe(error);
  expect(to.searchParams.get('state')).toBe('st');
  if (description) expect(to.searchParams.get('error_description')).toMatch(description);
}

describe('claims parameter: malformed values are invalid_request (OIDC Core §5.5)', () => {
  it.each([
    ['not JSON', '{"userinfo":', /not valid JSON/],
    ['a JSON array', '[]', /JSON object/],
    ['a JSON string', '"userinfo"', /JSON object/],
    ['a userinfo member that is not an object', '{"userinfo":["name"]}', /claims\.userinfo must be a JSON object/],
    ['an id_token member that is not an object', '{"id_token":true}', /claims\.id_token must be a JSON object/],
    ['a claim request that is neither null nor an object', '{"userinfo":{"name":"yes"}}', /must be null or a JSON object/],
    ['essential that is not a boolean', '{"id_token":{"email":{"essential":1}}}', /essential must be a boolean/],
    ['values that is not an array', '{"id_token":{"acr":{"values":"urn:x"}}}', /values must be an array/],
    ['a value that is an object', '{"id_token":{"sub":{"value":{"a":1}}}}', /value must be a string/],
  ])('%s', async (_what, claims, description) => {
    await expectClientError({ claims }, 'invalid_request', description);
  });

  it('ignores members it does not understand (§5.5) and claims of unknown names', async () => {
    const to = await authorize({ claims: JSON.stringify({ other: 1, userinfo: { made_up: null } }) });
    expect(to.pathname).toBe('/ui/login');
  });
});

describe('display (OIDC Core §3.1.2.1)', () => {
  it('refuses a value the spec does not define', async () => {
    await expectClientError({ display: 'fullscreen' }, 'invalid_request', /display/);
  });

  it('passes popup to the login page', async () => {
    const jar = new CookieJar();
    const to = await authorize({ display: 'popup' }, jar);
    const html = await (await jar.fetch(to.href)).text();
    expect(html).toContain('<body data-display="popup">');
  });
});

describe('what a claims request releases', () => {
  it('only claims of scopes the client is allowed: phone_number is not, email is', async () => {
    const claims = JSON.stringify({ id_token: { phone_number: { essential: true }, email: null } });
    const flow = await authorizeWithLogin(gh.url, { scope: 'openid', params: { claims } });
    const { body } = await exchangeCode(gh.url, flow.code, flow.verifier);
    const id = idTokenClaims(body.id_token);
    expect(id.email).toBe('AliceSmith@example.com');
    expect(id).not.toHaveProperty('phone_number');
  });

  it('with consent, only claims of the consented scopes (interactive.public requires consent)', async () => {
    const { challenge, verifier } = await pkce();
    const redirect = 'http://localhost:3000/spa/callback';
    const claims = JSON.stringify({ id_token: { email: null, name: null } });
    const flow = await authorizeWithLogin(gh.url, {
      clientId: 'interactive.public',
      redirectUri: redirect,
      scope: 'openid profile',
      params: { claims, code_challenge: challenge },
    });
    const res = await fetch(`${gh.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'interactive.public',
        code: flow.code,
        redirect_uri: redirect,
        code_verifier: verifier,
      }),
    });
    const id = idTokenClaims(((await res.json()) as { id_token: string }).id_token);
    // profile was consented: name is released; email was not asked for in the scopes, so not consented.
    expect(id.name).toBe('Alice Smith');
    expect(id).not.toHaveProperty('email');
  });
});

describe('claims in the front channel (implicit, OIDC Core §3.2)', () => {
  it('puts the id_token member in the fragment ID token and carries the userinfo member with the access token', async () => {
    const claims = JSON.stringify({ id_token: { email: null }, userinfo: { name: { essential: true } } });
    const flow = await authorizeWithLogin(gh.url, {
      clientId: 'interactive.implicit',
      redirectUri: 'http://localhost:3000/implicit/callback',
      scope: 'openid',
      params: { response_type: 'id_token token', claims },
    });
    const fragment = new URLSearchParams(flow.callback.hash.slice(1));
    const id = idTokenClaims(fragment.get('id_token')!);
    expect(id).toMatchObject({ sub: '1', email: 'AliceSmith@example.com', acr: 'urn:gatehouse:pwd' });
    expect(id).not.toHaveProperty('name');
    const info = await fetch(`${gh.url}/connect/userinfo`, { headers: { authorization: `Bearer ${fragment.get('access_token')!}` } });
    expect(await info.json()).toEqual({ sub: '1', name: 'Alice Smith' });
  });
});

describe('claims against an existing session, prompt=none', () => {
  let jar: CookieJar;
  beforeAll(async () => {
    jar = (await authorizeWithLogin(gh.url, { scope: 'openid' })).jar;
  });

  it('a sub value naming another user is login_required (§5.5.1)', async () => {
    await expectClientError({ prompt: 'none', claims: JSON.stringify({ id_token: { sub: { value: '2' } } }) }, 'login_required', undefined, jar);
  });

  it('a sub value naming the signed-in user gets a code', async () => {
    const to = await authorize({ prompt: 'none', claims: JSON.stringify({ id_token: { sub: { value: '1' } } }) }, jar);
    expect(to.searchParams.get('code')).toBeTruthy();
  });

  it('an essential acr the session does not meet is login_required; one it meets gets a code (§5.5.1.1)', async () => {
    await expectClientError(
      { prompt: 'none', claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:gatehouse:mfa'] } } }) },
      'login_required',
      /acr/,
      jar,
    );
    const to = await authorize({ prompt: 'none', claims: JSON.stringify({ id_token: { acr: { essential: true, value: 'urn:gatehouse:pwd' } } }) }, jar);
    expect(to.searchParams.get('code')).toBeTruthy();
    // Without prompt=none the user is asked to sign in again.
    const again = await authorize({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:gatehouse:mfa'] } } }) }, jar);
    expect(again.pathname).toBe('/ui/login');
    // A voluntary acr request is no condition.
    const voluntary = await authorize({ prompt: 'none', claims: JSON.stringify({ id_token: { acr: { values: ['urn:gatehouse:mfa'] } } }) }, jar);
    expect(voluntary.searchParams.get('code')).toBeTruthy();
  });
});
