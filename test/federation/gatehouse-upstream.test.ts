/**
 * Federation against a real upstream: a second Gatehouse instance on a
 * loopback port, signed in to through the built-in pages (form driver).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { CookieJar, form, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { externalProviderSchema } from '../../src/federation/provider-schema.js';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const action = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

/** One browser: a cookie jar per origin (cookies are not port-bound in browsers, but both servers use the same names). */
class Browser {
  private readonly jars = new Map<string, CookieJar>();
  jar(url: string): CookieJar {
    const o = new URL(url).origin;
    if (!this.jars.has(o)) this.jars.set(o, new CookieJar());
    return this.jars.get(o)!;
  }
  fetch(url: string, init?: RequestInit) {
    return this.jar(url).fetch(url, init);
  }
}

let up: TestServer;
let down: TestServer;

beforeAll(async () => {
  down = await startTestServer();
  up = await startTestServer({
    mutate(c) {
      c.clients = [
        ...(c.clients ?? []),
        {
          clientId: 'gatehouse',
          clientSecrets: [{ value: SECRET_HASH }],
          allowedGrantTypes: ['authorization_code'],
          requirePkce: true,
          allowedScopes: ['openid', 'profile', 'email'],
          alwaysIncludeUserClaimsInIdToken: true,
          redirectUris: [`${down.url}/federation/upstream/callback`],
          postLogoutRedirectUris: [`${down.url}/federation/upstream/signed-out`],
        },
      ];
    },
  });
  down.gh.context.config.externalProviders = [
    externalProviderSchema.parse({ name: 'upstream', displayName: 'Upstream', issuer: up.url, clientId: 'gatehouse', clientSecret: 'secret' }),
  ];
});
afterAll(async () => {
  await down?.close();
  await up?.close();
});

async function authorize(b: Browser, extra: Record<string, string> = {}) {
  const { verifier, challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid profile email',
    state: 'st',
    nonce: 'nn',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const res = await b.fetch(`${down.url}/connect/authorize?${q}`);
  expect(res.status).toBe(303);
  return { verifier, location: res.headers.get('location')! };
}

/** From the downstream login page, through the upstream's login page, to the upstream's redirect back (not followed). */
async function upstreamSignIn(b: Browser, loginPage: string, username = 'alice') {
  const html = await (await b.fetch(loginPage)).text();
  const button = html.match(/href="([^"]*\/federation\/upstream\/start[^"]*)"/)?.[1]?.replace(/&amp;/g, '&');
  expect(button).toBeTruthy();
  let res = await b.fetch(button!);
  expect(res.status).toBe(303);
  const upAuthorize = res.headers.get('location')!;
  expect(upAuthorize.startsWith(`${up.url}/connect/authorize?`)).toBe(true);
  const sent = new URL(upAuthorize).searchParams;
  expect(sent.get('code_challenge_method')).toBe('S256');
  expect(sent.get('nonce')).toBeTruthy();
  res = await b.fetch(upAuthorize);
  let loc = res.headers.get('location')!;
  if (loc.includes('/ui/login')) {
    const page = await (await b.fetch(loc)).text();
    res = await b.fetch(new URL(action(page, '/ui/login?')!, up.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, username, password: username }),
    });
    loc = res.headers.get('location')!;
  }
  expect(loc.startsWith(`${down.url}/federation/upstream/callback?`)).toBe(true);
  return loc;
}

async function signInThroughUpstream(b: Browser, username = 'alice') {
  const { verifier, location } = await authorize(b);
  const callback = await upstreamSignIn(b, location, username);
  const res = await b.fetch(callback);
  expect(res.status).toBe(303);
  const back = new URL(res.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(CONFIDENTIAL_REDIRECT);
  const tokens = await exchangeCode(down.url, back.searchParams.get('code')!, verifier);
  expect(tokens.status).toBe(200);
  return { claims: decodeJwt(tokens.body.id_token as string), callback, idToken: tokens.body.id_token as string };
}

describe('federation with a Gatehouse upstream', () => {
  it('shows the provider button, signs in with a new local subject (JIT), stable across sign-ins, never a local user by email', async () => {
    const first = await signInThroughUpstream(new Browser());
    expect(first.claims.sub).not.toBe('1'); // alice's local subject at the downstream: no linking by email
    expect(first.claims.name).toBe('Alice Smith');
    expect(first.claims.email).toBe('AliceSmith@example.com');
    expect(first.claims.amr).toEqual(['fed']);
    const second = await signInThroughUpstream(new Browser());
    expect(second.claims.sub).toBe(first.claims.sub);
    const bob = await signInThroughUpstream(new Browser(), 'bob');
    expect(bob.claims.sub).not.toBe(first.claims.sub);
  });

  it('acr_values=idp:upstream skips the login page', async () => {
    const b = new Browser();
    const { location } = await authorize(b, { acr_values: 'idp:upstream' });
    const res = await b.fetch(location);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('/federation/upstream/start?');
  });

  it('a replayed callback, a wrong state and another browser get a readable page, not a 5xx', async () => {
    const b = new Browser();
    const { callback } = await signInThroughUpstream(b);
    const replay = await b.fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('expired or was started in another browser');
    const wrong = new URL(callback);
    wrong.searchParams.set('state', 'x'.repeat(43));
    expect((await b.fetch(wrong.href)).status).toBe(400);
    // A callback carried to another browser (no binding cookie) is refused.
    const b2 = new Browser();
    const { location } = await authorize(b2);
    const cb = await upstreamSignIn(b2, location);
    const res = await new Browser().fetch(cb);
    expect(res.status).toBe(400);
  });

  it('an upstream error (the user cancels upstream) is a readable page', async () => {
    const b = new Browser();
    const { location } = await authorize(b);
    const html = await (await b.fetch(location)).text();
    const button = html.match(/href="([^"]*\/federation\/upstream\/start[^"]*)"/)![1].replace(/&amp;/g, '&');
    const upAuthorize = (await b.fetch(button)).headers.get('location')!;
    const state = new URL(upAuthorize).searchParams.get('state')!;
    const res = await b.fetch(`${down.url}/federation/upstream/callback?${new URLSearchParams({ error: 'access_denied', state, iss: up.url })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('was cancelled');
  });

  it('linking needs the local password; with it the upstream account signs in as the local user', async () => {
    const b = new Browser();
    // Sign in locally as bob at the downstream.
    const { location } = await authorize(b);
    const page = await (await b.fetch(location)).text();
    const res = await b.fetch(new URL(action(page, '/ui/login?')!, down.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, username: 'bob', password: 'bob' }),
    });
    expect(res.status).toBe(303);
    const list = (await (await b.fetch(`${down.url}/federation/accounts`)).json()) as { links: unknown[]; csrf: string };
    expect(list.links).toEqual([]);
    const link = (password: string) =>
      b.fetch(`${down.url}/federation/accounts/link`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: list.csrf, provider: 'upstream', password }),
      });
    const refused = await link('wrong');
    expect(refused.status).toBe(403);
    const noCsrf = await b.fetch(`${down.url}/federation/accounts/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ provider: 'upstream', password: 'bob' }),
    });
    expect(noCsrf.status).toBe(403);
    const started = await link('bob');
    expect(started.status).toBe(303);
    // Upstream sign-in as carol-less demo: a fresh upstream user is not available, so link the upstream "bob".
    let r = await b.fetch(started.headers.get('location')!);
    let loc = r.headers.get('location')!;
    const upPage = await (await b.fetch(loc)).text();
    r = await b.fetch(new URL(action(upPage, '/ui/login?')!, up.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(upPage, 'csrf')!, username: 'bob', password: 'bob' }),
    });
    loc = r.headers.get('location')!;
    r = await b.fetch(loc);
    // upstream bob was provisioned by the first test: linked elsewhere, refused readably.
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('already linked to another account');
  });

  it('signing out of Gatehouse ends the upstream session too, then returns to the client', async () => {
    const b = new Browser();
    const { idToken } = await signInThroughUpstream(b);
    const q = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye' });
    let res = await b.fetch(`${down.url}/connect/endsession?${q}`);
    expect(res.status).toBe(303);
    const upstreamLogout = new URL(res.headers.get('location')!);
    expect(upstreamLogout.origin).toBe(up.url);
    expect(upstreamLogout.searchParams.get('post_logout_redirect_uri')).toBe(`${down.url}/federation/upstream/signed-out`);
    expect(upstreamLogout.searchParams.get('id_token_hint')).toBeTruthy();
    res = await b.fetch(upstreamLogout.href);
    expect(res.status).toBe(303);
    const signedOut = new URL(res.headers.get('location')!);
    expect(signedOut.href.startsWith(`${down.url}/federation/upstream/signed-out`)).toBe(true);
    res = await b.fetch(signedOut.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:3000/?state=bye');
    // The upstream session is gone: the next authorize there asks for a login again.
    const again = await authorize(b, { acr_values: 'idp:upstream' });
    const start = (await b.fetch(again.location)).headers.get('location')!;
    const upAuth = (await b.fetch(start)).headers.get('location')!;
    expect((await b.fetch(upAuth)).headers.get('location')).toContain('/ui/login');
  });
});
