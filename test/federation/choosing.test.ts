/**
 * Choosing an external provider: buttons on the login page, the per-client
 * allow-list (identityProviderRestrictions), enableLocalLogin: false,
 * acr_values=idp:NAME only for allowed providers, home-realm discovery by
 * email domain. No upstream is contacted before the start route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    mutate(c) {
      c.externalProviders = [
        { name: 'corp', displayName: 'Corp', issuer: 'https://corp.example', clientId: 'a', clientSecret: 's', domains: ['corp.example'] },
        { name: 'acme', displayName: 'Acme', issuer: 'https://acme.example', clientId: 'a', clientSecret: 's' },
      ];
      const base = c.clients!.find((x) => x.clientId === 'interactive.confidential')!;
      c.clients!.push({ ...base, clientId: 'only.acme', identityProviderRestrictions: ['acme'], enableLocalLogin: false });
    },
  });
});
afterAll(async () => {
  await s?.close();
});

async function page(clientId: string, extra: Record<string, string> = {}) {
  const jar = new CookieJar();
  const { challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: clientId,
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const loc = (await jar.fetch(`${s.url}/connect/authorize?${q}`)).headers.get('location')!;
  const res = await jar.fetch(loc);
  return { jar, res, loc, html: res.status === 200 ? await res.text() : '' };
}

describe('choosing a provider', () => {
  it('shows every provider and the password form by default', async () => {
    const { html } = await page('interactive.confidential');
    expect(html).toContain('Sign in with Corp');
    expect(html).toContain('Sign in with Acme');
    expect(html).toContain('name="password"');
  });

  it('honours identityProviderRestrictions and enableLocalLogin: false', async () => {
    const { html } = await page('only.acme');
    expect(html).toContain('Sign in with Acme');
    expect(html).not.toContain('Sign in with Corp');
    expect(html).not.toContain('name="password"');
  });

  it('acr_values=idp:NAME skips the page only for an allowed provider', async () => {
    const ok = await page('interactive.confidential', { acr_values: 'idp:corp' });
    expect(ok.res.status).toBe(303);
    expect(ok.res.headers.get('location')).toContain('/federation/corp/start?');
    const refused = await page('only.acme', { acr_values: 'idp:corp' });
    expect(refused.res.status).toBe(200);
    expect(refused.html).not.toContain('Sign in with Corp');
  });

  it('an email in a provider domain goes to that provider (home-realm discovery)', async () => {
    const { jar, html, loc } = await page('interactive.confidential');
    const csrf = html.match(/name="csrf" value="([^"]*)"/)![1];
    const res = await jar.fetch(new URL(loc).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf, username: 'ann@corp.example', password: '' }),
    });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.pathname).toBe('/federation/corp/start');
    expect(to.searchParams.get('login_hint')).toBe('ann@corp.example');
  });

  it('the start route refuses a provider the client may not use, and an unknown provider', async () => {
    const { jar, loc } = await page('only.acme');
    const id = new URL(loc).searchParams.get('id')!;
    const res = await jar.fetch(`${s.url}/federation/corp/start?id=${id}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not available');
    expect((await jar.fetch(`${s.url}/federation/nope/callback?state=x`)).status).toBe(400);
    expect((await jar.fetch(`${s.url}/federation/corp/callback`)).status).toBe(400);
  });
});
