/**
 * The authorization endpoint's validation through the real HTTP handler:
 * which errors go to the error page (RFC 6749 §4.1.2.1) and which are
 * redirected (OIDC Core §3.1.2.6), in which response mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, form, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, CONF, CONF_REDIRECT, expectErrorPage, expectRedirectError, FORM, PUB } from './interaction-helpers.js';

describe('authorization request validation', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        const clients = c.clients as Record<string, unknown>[];
        const conf = clients.find((x) => x.clientId === CONF)!;
        clients.push({ ...conf, clientId: 'disabled', enabled: false });
        // A client with redirect URIs but without the authorization code grant.
        clients.push({ ...conf, clientId: 'no-code', allowedGrantTypes: ['client_credentials'] });
        clients.push({ ...conf, clientId: 'narrow', allowedScopes: ['openid'] });
      },
    });
  });
  afterAll(() => s.close());

  const get = async (over: Record<string, string | undefined>) => {
    const { params } = await authParams(over);
    return new CookieJar().fetch(authorizeUrl(s.url, params));
  };
  const getRaw = (qs: string) => new CookieJar().fetch(`${s.url}/connect/authorize?${qs}`);

  describe('errors shown on the error page, never redirected', () => {
    it.each([
      ['unknown client', { client_id: 'nope' }, 'invalid_client'],
      ['missing client_id', { client_id: undefined }, 'invalid_request'],
      ['disabled client', { client_id: 'disabled' }, 'invalid_client'],
      ['missing redirect_uri', { redirect_uri: undefined }, 'invalid_request'],
      ['unregistered redirect_uri', { redirect_uri: 'https://evil.example/callback' }, 'invalid_request'],
      ['trailing slash', { redirect_uri: `${CONF_REDIRECT}/` }, 'invalid_request'],
      ['different case', { redirect_uri: 'http://localhost:3000/Callback' }, 'invalid_request'],
      ['upper-case host', { redirect_uri: 'http://LOCALHOST:3000/callback' }, 'invalid_request'],
      ['extra query', { redirect_uri: `${CONF_REDIRECT}?x=1` }, 'invalid_request'],
      ['fragment', { redirect_uri: `${CONF_REDIRECT}#x` }, 'invalid_request'],
      ['another client’s redirect_uri', { redirect_uri: 'http://localhost:3000/spa/callback' }, 'invalid_request'],
    ])('%s', async (_name, over, error) => {
      const html = await expectErrorPage(await get({ ...over, response_mode: 'fragment' }), error);
      expect(html).not.toContain('evil.example');
    });

    it('two redirect_uri parameters', async () => {
      await expectErrorPage(
        await getRaw(`client_id=${CONF}&redirect_uri=${encodeURIComponent(CONF_REDIRECT)}&redirect_uri=x&response_type=code`),
        'invalid_request',
      );
    });

    it('two client_id parameters', async () => {
      await expectErrorPage(
        await getRaw(`client_id=${CONF}&client_id=${PUB}&redirect_uri=${encodeURIComponent(CONF_REDIRECT)}&response_type=code`),
        'invalid_request',
      );
    });

    it('oversized redirect_uri', async () => {
      await expectErrorPage(await get({ redirect_uri: `${CONF_REDIRECT}?${'a'.repeat(5000)}` }), 'invalid_request');
    });
  });

  describe('loopback redirect URIs (RFC 8252 §7.3)', () => {
    const pub = (redirect_uri: string) => get({ client_id: PUB, redirect_uri });

    it.each(['http://127.0.0.1:54321/callback', 'http://127.0.0.1:1/callback', 'http://127.0.0.1/callback'])('accepts %s', async (uri) => {
      const res = await pub(uri);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toContain('/ui/login?id=');
    });

    it.each([
      'http://127.0.0.1:54321/other',
      'http://localhost:54321/callback',
      'http://127.0.0.1:54321/callback/',
      'http://127.0.0.1:54321/callback?x=1',
      'https://127.0.0.1:54321/callback',
      'http://127.0.0.1:54321/x/../callback',
      'http://127.1:54321/callback',
      'http://2130706433:54321/callback',
      'http://user@127.0.0.1:54321/callback',
      'http://127.0.0.1:99999/callback',
    ])('refuses %s on the error page', async (uri) => {
      await expectErrorPage(await pub(uri), 'invalid_request');
    });
  });

  describe('errors redirected to the client', () => {
    const redirected = async (over: Record<string, string | undefined>, error: string): Promise<void> => {
      expectRedirectError(await get(over), { issuer: s.url, error, state: 'st-1' });
    };

    it('missing response_type -> invalid_request', () => redirected({ response_type: undefined }, 'invalid_request'));
    it('response_type=token -> unsupported_response_type', () => redirected({ response_type: 'token' }, 'unsupported_response_type'));
    it('response_type=code id_token for a client without the hybrid grant -> unauthorized_client, in the fragment', async () => {
      // Multiple Response Type Encoding Practices §5: the default mode of code id_token is the fragment (docs/response-types.md).
      expectRedirectError(await get({ response_type: 'code id_token' }), { issuer: s.url, error: 'unauthorized_client', state: 'st-1', fragment: true });
    });
    it('response_type=code foo -> unsupported_response_type', () => redirected({ response_type: 'code foo' }, 'unsupported_response_type'));
    it('client without the authorization_code grant -> unauthorized_client', () => redirected({ client_id: 'no-code' }, 'unauthorized_client'));
    it('unknown scope -> invalid_scope', () => redirected({ scope: 'openid nonsense' }, 'invalid_scope'));
    it('scope not allowed for the client -> invalid_scope', () => redirected({ client_id: 'narrow', scope: 'openid email' }, 'invalid_scope'));
    it('missing code_challenge for a PKCE client -> invalid_request', () =>
      redirected({ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request'));
    it('code_challenge_method=plain when not allowed -> invalid_request', () => redirected({ code_challenge_method: 'plain' }, 'invalid_request'));
    it('code_challenge without method defaults to plain -> invalid_request', () => redirected({ code_challenge_method: undefined }, 'invalid_request'));
    it('unknown code_challenge_method -> invalid_request', () => redirected({ code_challenge_method: 'S512' }, 'invalid_request'));
    it('malformed (too short) code_challenge -> invalid_request', () => redirected({ code_challenge: 'abc' }, 'invalid_request'));
    it('malformed (bad characters) code_challenge -> invalid_request', () => redirected({ code_challenge: `${'a'.repeat(42)}+` }, 'invalid_request'));
    // Request objects (RFC 9101) are supported: test/request-objects/ covers them; a broken one beside a registered redirect_uri is refused there.
    it('malformed request object -> invalid_request_object', () => redirected({ request: 'eyJhbGciOiJub25lIn0.e30' }, 'invalid_request_object'));
    it('request_uri -> request_uri_not_supported', () => redirected({ request_uri: 'https://rp.example/r' }, 'request_uri_not_supported'));
    it('prompt=none with another value -> invalid_request', () => redirected({ prompt: 'none login' }, 'invalid_request'));
    it('unknown prompt value -> invalid_request', () => redirected({ prompt: 'bogus' }, 'invalid_request'));
    it.each(['-1', 'abc', '1.5', '99999999999'])('max_age=%s -> invalid_request', (v) => redirected({ max_age: v }, 'invalid_request'));
    it('invalid id_token_hint -> invalid_request', () => redirected({ id_token_hint: 'not.a.jwt' }, 'invalid_request'));
    it('unknown response_mode -> invalid_request', () => redirected({ response_mode: 'web_message' }, 'invalid_request'));
    it('oversized nonce -> invalid_request', () => redirected({ nonce: 'n'.repeat(5000) }, 'invalid_request'));
    it('oversized login_hint -> invalid_request', () => redirected({ login_hint: 'h'.repeat(5000) }, 'invalid_request'));

    it('duplicated scope parameter -> invalid_request', async () => {
      const { params } = await authParams();
      params.append('scope', 'email');
      expectRedirectError(await new CookieJar().fetch(authorizeUrl(s.url, params)), { issuer: s.url, error: 'invalid_request', state: 'st-1' });
    });

    it('duplicated state parameter -> invalid_request without a state', async () => {
      const { params } = await authParams();
      params.append('state', 'other');
      expectRedirectError(await new CookieJar().fetch(authorizeUrl(s.url, params)), { issuer: s.url, error: 'invalid_request', state: null });
    });

    it('oversized state -> a clear invalid_request, not a 5xx, and the state is not echoed', async () => {
      const res = await get({ state: 's'.repeat(5000) });
      const p = expectRedirectError(res, { issuer: s.url, error: 'invalid_request' });
      expect(p.get('state')).toBeNull();
      expect(p.get('error_description')).toMatch(/state/);
    });

    it('keeps the registered query component of the redirect URI', async () => {
      const { params } = await authParams({ response_type: 'token' });
      const res = await new CookieJar().fetch(authorizeUrl(s.url, params));
      expect(new URL(res.headers.get('location')!).origin + new URL(res.headers.get('location')!).pathname).toBe(CONF_REDIRECT);
    });

    it('fragment mode delivers the error in the fragment', async () => {
      const res = await get({ response_mode: 'fragment', scope: 'openid nonsense' });
      expectRedirectError(res, { issuer: s.url, error: 'invalid_scope', state: 'st-1', fragment: true });
    });

    it('form_post mode delivers the error in an auto-submitting form', async () => {
      const res = await get({ response_mode: 'form_post', scope: 'openid nonsense' });
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain(`action="${CONF_REDIRECT}"`);
      expect(html).toMatch(/<input type="hidden" name="error" value="invalid_scope"/);
      expect(html).toMatch(/name="error_description"/);
      expect(html).toMatch(/<input type="hidden" name="state" value="st-1"/);
      expect(html).toContain(`name="iss" value="${s.url}"`);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/form-action [^;]*http:\/\/localhost:3000/);
      const nonce = csp.match(/script-src 'nonce-([^']+)'/)?.[1];
      expect(nonce).toBeTruthy();
      expect(html).toContain(`<script nonce="${nonce}">`);
      expect(csp).not.toContain('unsafe-inline');
    });
  });

  describe('successful responses in every mode', () => {
    // One signed-in browser; the confidential client needs no consent.
    let jar: CookieJar;
    beforeAll(async () => {
      jar = new CookieJar();
      const { signIn } = await import('./interaction-helpers.js');
      await signIn(s.url, jar);
    });

    it('query', async () => {
      const { params } = await authParams({ response_mode: 'query' });
      const res = await jar.fetch(authorizeUrl(s.url, params));
      expect(res.status).toBe(303);
      const url = new URL(res.headers.get('location')!);
      expect(url.origin + url.pathname).toBe(CONF_REDIRECT);
      expect(url.searchParams.get('code')).toBeTruthy();
      expect(url.searchParams.get('state')).toBe('st-1');
      expect(url.searchParams.get('iss')).toBe(s.url);
      expect(url.hash).toBe('');
    });

    it('fragment', async () => {
      const { params } = await authParams({ response_mode: 'fragment' });
      const res = await jar.fetch(authorizeUrl(s.url, params));
      const url = new URL(res.headers.get('location')!);
      expect(url.search).toBe('');
      const p = new URLSearchParams(url.hash.slice(1));
      expect(p.get('code')).toBeTruthy();
      expect(p.get('state')).toBe('st-1');
      expect(p.get('iss')).toBe(s.url);
    });

    it('form_post', async () => {
      const { params } = await authParams({ response_mode: 'form_post' });
      const res = await jar.fetch(authorizeUrl(s.url, params));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toContain('no-store');
      const html = await res.text();
      expect(html).toContain(`action="${CONF_REDIRECT}"`);
      expect(html).toMatch(/name="code" value="[^"]{20,}"/);
      expect(html).toContain('name="state" value="st-1"');
      expect(html).toContain(`name="iss" value="${s.url}"`);
    });

    it('POST with a form body', async () => {
      const { params } = await authParams();
      const res = await jar.fetch(`${s.url}/connect/authorize`, { method: 'POST', headers: FORM, body: params.toString() });
      expect(res.status).toBe(303);
      const url = new URL(res.headers.get('location')!);
      expect(url.searchParams.get('code')).toBeTruthy();
      expect(url.searchParams.get('iss')).toBe(s.url);
    });

    it('POST with a non-form body is an error page', async () => {
      const { params } = await authParams();
      const res = await jar.fetch(`${s.url}/connect/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.fromEntries(params)),
      });
      await expectErrorPage(res, 'invalid_request');
    });

    it('POST redirected errors carry state and iss', async () => {
      const { params } = await authParams({ scope: 'openid nonsense' });
      const res = await jar.fetch(`${s.url}/connect/authorize`, { method: 'POST', headers: FORM, body: form(Object.fromEntries(params)) });
      expectRedirectError(res, { issuer: s.url, error: 'invalid_scope', state: 'st-1' });
    });
  });
});
