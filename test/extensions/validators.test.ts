/** Custom token request, authorize request and redirect URI validators, through HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidGrant, InvalidRequest } from '../../src/errors.js';
import { defaultRedirectUriValidator } from '../../src/extensions/redirect-uri-validator.js';
import type { TokenRequestContext } from '../../src/extensions/token-request-validator.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest } from './helpers.js';

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function authorizeUrl(base: string, extra: Record<string, string> = {}) {
  const { challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: 'http://localhost:3000/callback',
    response_type: 'code',
    scope: 'openid',
    state: 'xyz',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return `${base}/connect/authorize?${q}`;
}

describe('custom token request validator', () => {
  it('adds claims and changes the lifetime for client credentials, and sees the request', async () => {
    const seen: TokenRequestContext[] = [];
    s = await startTestServer({
      options: {
        tokenRequestValidator: {
          validate(c) {
            seen.push(c);
            c.accessTokenClaims.tenant = c.body.get('tenant')?.[0] ?? 'none';
            c.accessTokenClaims.sub = 'forged'; // protocol claims are never overridden
            c.accessTokenLifetime = 120;
          },
        },
      },
    });
    const res = await tokenRequest(s.url, { grant_type: 'client_credentials', scope: 'api', tenant: 'acme' }, 'm2m');
    expect(res.status).toBe(200);
    expect(res.body.expires_in).toBe(120);
    const at = claimsOf(res.body.access_token);
    expect(at).toMatchObject({ sub: 'm2m', tenant: 'acme' });
    expect(at.exp - at.iat).toBe(120);
    expect(seen[0]).toMatchObject({ grantType: 'client_credentials', scopes: ['api'] });
    expect(seen[0].subjectId).toBeUndefined();
    expect(seen[0].client.clientId).toBe('m2m');
  });

  it('runs for the code and refresh grants; a refusal at refresh leaves the refresh token usable', async () => {
    let refuse = false;
    s = await startTestServer({
      options: {
        tokenRequestValidator: {
          validate(c) {
            if (refuse) throw new InvalidGrant('not now');
            c.accessTokenClaims.grant = c.grantType;
          },
        },
      },
    });
    const flow = await authorizeWithLogin(s.url);
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    expect(claimsOf(tokens.body.access_token)).toMatchObject({ sub: '1', grant: 'authorization_code' });
    refuse = true;
    const refused = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'not now' } });
    refuse = false;
    const refreshed = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ sub: '1', grant: 'refresh_token' });
  });
});

describe('custom authorize request validator', () => {
  it('refuses after the built-in checks: the error goes to the redirect URI with state', async () => {
    s = await startTestServer({
      options: {
        authorizeRequestValidator: {
          validate({ params }) {
            if (!params.get('tenant')) throw new InvalidRequest('tenant is required');
          },
        },
      },
    });
    const res = await fetch(await authorizeUrl(s.url), { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://localhost:3000/callback');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toBe('tenant is required');
    expect(location.searchParams.get('state')).toBe('xyz');
    // The built-in checks still run first: an unregistered redirect URI is never redirected to.
    const bad = await fetch(await authorizeUrl(s.url, { redirect_uri: 'http://evil.example/cb' }), { redirect: 'manual' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('location')).toBeNull();
  });

  it('annotates the request; a custom page sees the annotations', async () => {
    s = await startTestServer({
      options: { authorizeRequestValidator: { validate: ({ params }) => ({ annotations: { tenant: params.get('tenant')?.[0] } }) } },
    });
    const jar = new CookieJar();
    const res = await jar.fetch(await authorizeUrl(s.url, { tenant: 'acme' }));
    const loginUrl = new URL(res.headers.get('location')!);
    const details = await s.gh.interactions.details(loginUrl.searchParams.get('id')!, jar.header());
    expect(details?.annotations).toEqual({ tenant: 'acme' });
  });
});

describe('redirect URI validator', () => {
  it('is exact matching by default', async () => {
    s = await startTestServer();
    const res = await fetch(await authorizeUrl(s.url, { redirect_uri: 'http://localhost:3000/callback/' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
  });

  it("a host's validator decides; what it refuses is shown on the error page, never redirected", async () => {
    const tenantUri = /^https:\/\/[a-z0-9-]+\.tenants\.example\.com\/callback$/;
    s = await startTestServer({
      options: {
        redirectUriValidator: {
          isRedirectUriValid: (uri, client) => tenantUri.test(uri) || defaultRedirectUriValidator.isRedirectUriValid(uri, client),
          isPostLogoutRedirectUriValid: defaultRedirectUriValidator.isPostLogoutRedirectUriValid,
        },
      },
    });
    const flow = await authorizeWithLogin(s.url, { redirectUri: 'https://acme.tenants.example.com/callback' });
    expect(flow.callback.origin).toBe('https://acme.tenants.example.com');
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier, 'interactive.confidential', 'secret', 'https://acme.tenants.example.com/callback');
    expect(tokens.status).toBe(200);
    const refused = await fetch(await authorizeUrl(s.url, { redirect_uri: 'https://acme.tenants.example.com.evil.example/callback' }), { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
  });

  it('decides post-logout redirect URIs too', async () => {
    s = await startTestServer({
      options: {
        redirectUriValidator: {
          isRedirectUriValid: defaultRedirectUriValidator.isRedirectUriValid,
          isPostLogoutRedirectUriValid: (uri) => uri === 'https://acme.tenants.example.com/bye',
        },
      },
    });
    const flow = await authorizeWithLogin(s.url);
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    const end = (target: string) =>
      flow.jar.fetch(
        `${s!.url}/connect/endsession?${new URLSearchParams({ id_token_hint: tokens.body.id_token, post_logout_redirect_uri: target, state: 'q' })}`,
      );
    // The registered one is refused now: the host's validator decides alone.
    expect((await end('http://localhost:3000/')).status).toBe(400);
    const res = await end('https://acme.tenants.example.com/bye');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://acme.tenants.example.com/bye?state=q');
  });
});
