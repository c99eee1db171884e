/**
 * Federation against oidc-provider 8 (panva), in-process on a loopback port
 * with a client `gatehouse`: sign-in with userinfo, JIT provisioning, linking
 * after proving the local password, federated sign-out through its
 * end_session_endpoint, and its back-channel logout ending the local session.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import Provider from 'oidc-provider';
import { CookieJar, form, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { externalProviderSchema } from '../../src/federation/provider-schema.js';

const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const action = (html: string, contains: string) =>
  [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes(contains));

class Browser {
  private readonly jars = new Map<string, CookieJar>();
  fetch(url: string, init?: RequestInit) {
    const o = new URL(url).origin;
    if (!this.jars.has(o)) this.jars.set(o, new CookieJar());
    return this.jars.get(o)!.fetch(url, init);
  }
}

let down: TestServer;
let op: { url: string; server: http.Server };

beforeAll(async () => {
  down = await startTestServer();
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(url, {
    clients: [
      {
        client_id: 'gatehouse',
        client_secret: 'secret',
        redirect_uris: [`${down.url}/federation/oidcp/callback`],
        post_logout_redirect_uris: [`${down.url}/federation/oidcp/signed-out`],
        backchannel_logout_uri: `${down.url}/federation/oidcp/backchannel-logout`,
        backchannel_logout_session_required: true,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: () => ({ sub, name: `Person ${sub}`, email: `${sub}@op.example`, email_verified: true }) };
    },
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  });
  server.on('request', provider.callback());
  op = { url, server };
  down.gh.context.config.externalProviders = [
    externalProviderSchema.parse({ name: 'oidcp', displayName: 'OIDC Provider', issuer: url, clientId: 'gatehouse', clientSecret: 'secret' }),
  ];
});
afterAll(async () => {
  op?.server.closeAllConnections();
  await new Promise((r) => op?.server.close(r));
  await down?.close();
});

async function authorize(b: Browser) {
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
    acr_values: 'idp:oidcp',
  });
  const res = await b.fetch(`${down.url}/connect/authorize?${q}`);
  return { verifier, location: res.headers.get('location')! };
}

/** Follows oidc-provider's dev interactions (login with any password, consent) to the redirect back to Gatehouse. */
async function atOp(b: Browser, start: string, login: string): Promise<string> {
  let loc = start;
  for (let i = 0; i < 10; i++) {
    if (loc.startsWith(down.url)) return loc;
    const res = await b.fetch(new URL(loc, op.url).href);
    if (res.status === 200) {
      const html = await res.text();
      const target = new URL(action(html, '/interaction/')!, op.url).href;
      const isLogin = html.includes('name="login"');
      const post = await b.fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(isLogin ? { prompt: 'login', login, password: 'x' } : { prompt: 'consent' }),
      });
      loc = post.headers.get('location')!;
    } else loc = res.headers.get('location')!;
  }
  throw new Error('no redirect back to Gatehouse');
}

async function signIn(b: Browser, login: string) {
  const { verifier, location } = await authorize(b);
  const start = (await b.fetch(location)).headers.get('location')!;
  expect(start).toContain('/federation/oidcp/start');
  const upstream = (await b.fetch(start)).headers.get('location')!;
  const callback = await atOp(b, upstream, login);
  const res = await b.fetch(callback);
  expect(res.status).toBe(303);
  const back = new URL(res.headers.get('location')!);
  const tokens = await exchangeCode(down.url, back.searchParams.get('code')!, verifier);
  expect(tokens.status).toBe(200);
  return { claims: decodeJwt(tokens.body.id_token as string), idToken: tokens.body.id_token as string };
}

describe('federation with oidc-provider upstream', () => {
  it('signs in, provisions from the ID token and userinfo, and keeps the subject stable', async () => {
    const a = await signIn(new Browser(), 'jane');
    expect(a.claims.name).toBe('Person jane');
    expect(a.claims.email).toBe('jane@op.example');
    const again = await signIn(new Browser(), 'jane');
    expect(again.claims.sub).toBe(a.claims.sub);
    const link = await down.gh.context.federation!.store.findLink(op.url, 'jane');
    expect(link?.subjectId).toBe(a.claims.sub);
  });

  it('links an upstream account to a local one after the local password, then signs in as that local subject', async () => {
    const b = new Browser();
    // Local sign-in as bob at the login page (no acr_values: the page with the provider button).
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
    });
    const loginUrl = (await b.fetch(`${down.url}/connect/authorize?${q}`)).headers.get('location')!;
    const page = await (await b.fetch(loginUrl)).text();
    expect(page).toContain('Sign in with OIDC Provider');
    await b.fetch(new URL(action(page, '/ui/login?')!, down.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, username: 'bob', password: 'bob' }),
    });
    const { csrf } = (await (await b.fetch(`${down.url}/federation/accounts`)).json()) as { csrf: string };
    const started = await b.fetch(`${down.url}/federation/accounts/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf, provider: 'oidcp', password: 'bob' }),
    });
    expect(started.status).toBe(303);
    const callback = await atOp(b, started.headers.get('location')!, 'bobby');
    const linked = await b.fetch(callback);
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toContain('/federation/accounts?linked=oidcp');
    const list = (await (await b.fetch(`${down.url}/federation/accounts`)).json()) as { links: { provider: string; subject: string }[] };
    expect(list.links).toEqual([expect.objectContaining({ provider: 'oidcp', subject: 'bobby' })]);
    // A new browser signing in upstream as bobby is bob ('2') now.
    const viaUpstream = await signIn(new Browser(), 'bobby');
    expect(viaUpstream.claims.sub).toBe('2');
    // Unlinking: the next sign-in as bobby provisions a new subject.
    const un = await b.fetch(`${down.url}/federation/accounts/unlink`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf, issuer: op.url, subject: 'bobby' }),
    });
    expect(un.status).toBe(200);
    expect((await signIn(new Browser(), 'bobby')).claims.sub).not.toBe('2');
  });

  it('federated sign-out goes through the upstream end_session_endpoint and back to the client', async () => {
    const b = new Browser();
    const { idToken } = await signIn(b, 'max');
    const q = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye' });
    const res = await b.fetch(`${down.url}/connect/endsession?${q}`);
    expect(res.status).toBe(303);
    const upstream = new URL(res.headers.get('location')!);
    expect(upstream.origin).toBe(op.url);
    expect(upstream.searchParams.get('post_logout_redirect_uri')).toBe(`${down.url}/federation/oidcp/signed-out`);
    // oidc-provider asks to confirm.
    const confirm = await (await b.fetch(upstream.href)).text();
    const xsrf = field(confirm, 'xsrf')!;
    const done = await b.fetch(new URL(action(confirm, '/session/end/confirm')!, op.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ xsrf, logout: 'yes' }),
    });
    const back = done.headers.get('location')!;
    expect(back.startsWith(`${down.url}/federation/oidcp/signed-out`)).toBe(true);
    const final = await b.fetch(back);
    expect(final.headers.get('location')).toBe('http://localhost:3000/?state=bye');
  });

  it("the upstream's back-channel logout token ends the local sessions of that account", async () => {
    const b = new Browser();
    const { claims } = await signIn(b, 'lena');
    expect(await down.gh.sessions.query({ subjectId: claims.sub! })).toHaveLength(1);
    // Sign out at the upstream only: it posts a logout token to Gatehouse.
    const page = await (await b.fetch(`${op.url}/session/end`)).text();
    await b.fetch(new URL(action(page, '/session/end/confirm')!, op.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ xsrf: field(page, 'xsrf')!, logout: 'yes' }),
    });
    expect(await down.gh.sessions.query({ subjectId: claims.sub! })).toHaveLength(0);
  });

  it('refuses a forged or malformed logout token', async () => {
    const post = (body: Record<string, string>) =>
      fetch(`${down.url}/federation/oidcp/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form(body),
      });
    expect((await post({})).status).toBe(400);
    const res = await post({ logout_token: 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });
});
