/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-03)
 * from a real https server with a certificate of `gatehouse dev-cert`: the
 * resolver's checks (address rules, size, time, redirects, client_id equal to
 * the URL, no shared secrets, Cache-Control), then the demo server
 * (`gatehouse start`, NODE_EXTRA_CA_CERTS) signing a user in for a client
 * whose id is a document URL, and the official MCP TypeScript SDK's OAuth
 * client finding the demo API's RFC 9728 metadata, registering (metadata
 * document, or RFC 7591) and getting a token bound to the API (RFC 8707).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { auth, registerClient, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { makeDevCert, type DevCert } from '../conformance/https-op.js';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { metadataDocumentResolver } from '../../src/registration/metadata-document.js';
import { metadataDocumentRules } from '../../src/registration/registration-rules.js';
import { clientIdMetadataDocumentsSchema } from '../../src/config/registration-schema.js';
import { createOutboundFetch, loopbackPolicy, strictPolicy } from '../../src/net/index.js';
import { signInAndConsent } from './browser-steps.js';
import { requirePrograms } from '../helpers/requirements.js';

/** The documents are served over https with a `gatehouse dev-cert` certificate, which needs openssl. */
const skip = requirePrograms(['openssl']);

const REDIRECT = 'http://localhost:3000/cb';

/** What the document server answers per path; `hits` counts requests per path. */
type Answer = { status?: number; headers?: Record<string, string>; body?: string; hang?: boolean };
const answers: Record<string, (base: string) => Answer> = {};
const hits = new Map<string, number>();

function documentFor(url: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ client_id: url, client_name: 'Doc client', redirect_uris: [REDIRECT], scope: 'openid profile api', ...extra });
}

describe.skipIf(!!skip)('Client ID Metadata Documents', () => {
  let cert: DevCert;
  let docs: https.Server;
  let docBase: string;
  let s: TestServer;

  beforeAll(async () => {
    cert = await makeDevCert();
    docs = https.createServer({ cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) }, (req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const a = answers[path]?.(docBase) ?? { status: 404, body: '{}' };
      if (a.hang) return; // never answers: the fetch's time limit ends it
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
    await new Promise<void>((r) => docs.listen(0, '127.0.0.1', r));
    docBase = `https://localhost:${(docs.address() as AddressInfo).port}`;
    s = await startTestServer();
  });
  afterAll(async () => {
    docs.closeAllConnections();
    await new Promise((r) => docs.close(r));
    await s.close();
    cert.remove();
  });

  const settings = clientIdMetadataDocumentsSchema.parse({ enabled: true, allowLoopback: true, timeout: 500, allowedScopes: ['openid', 'profile', 'api'] });
  const resolver = (opts: { loopback?: boolean; clock?: TestClock } = {}) =>
    metadataDocumentResolver(
      settings,
      s.gh.context.config.outbound,
      () => metadataDocumentRules(s.gh.context),
      opts.clock ?? new TestClock(),
      (() => {
        const policy = opts.loopback === false ? strictPolicy() : loopbackPolicy();
        return createOutboundFetch({ ...policy, timeoutMs: settings.timeout, maxBytes: settings.maxBytes, ca: cert.caPem });
      })(),
    );

  it('resolves a valid document into a public client, cached as Cache-Control says within bounds', async () => {
    answers['/ok.json'] = (b) => ({ headers: { 'cache-control': 'public, max-age=120' }, body: documentFor(`${b}/ok.json`) });
    answers['/forever.json'] = (b) => ({ headers: { 'cache-control': 'max-age=99999999' }, body: documentFor(`${b}/forever.json`) });
    answers['/nostore.json'] = (b) => ({ headers: { 'cache-control': 'no-store' }, body: documentFor(`${b}/nostore.json`) });
    const r = resolver();
    const ok = await r.resolve(`${docBase}/ok.json`);
    expect(ok.ttl).toBe(120);
    expect(ok.definition).toMatchObject({
      clientId: `${docBase}/ok.json`,
      clientName: `Doc client (${new URL(docBase).host})`,
      requireClientSecret: false,
      tokenEndpointAuthMethods: ['none'],
      redirectUris: [REDIRECT],
      requireConsent: true,
    });
    expect((await r.resolve(`${docBase}/forever.json`)).ttl).toBe(settings.maxCacheTime);
    expect((await r.resolve(`${docBase}/nostore.json`)).ttl).toBe(settings.minCacheTime);
  });

  it.each([
    ['its client_id differs from its URL', '/other-id.json', (b: string) => ({ body: documentFor(`${b}/somewhere-else.json`) }), 'does not equal its URL'],
    ['it is too large', '/large.json', (b: string) => ({ body: documentFor(`${b}/large.json`, { client_name: 'x'.repeat(8000) }) }), 'too_large'],
    ['it redirects', '/moved.json', (b: string) => ({ status: 302, headers: { location: `${b}/ok.json` } }), 'redirect'],
    ['it is slow', '/slow.json', () => ({ hang: true }), 'timeout'],
    ['it is not JSON', '/html.json', () => ({ headers: { 'content-type': 'text/html' }, body: '<html>' }), 'not JSON'],
    ['it is missing', '/missing.json', () => ({ status: 404, body: '{}' }), 'status 404'],
    ['it holds a client_secret', '/secret.json', (b: string) => ({ body: documentFor(`${b}/secret.json`, { client_secret: 'x' }) }), 'client_secret'],
    [
      'it asks for client_secret_basic',
      '/basic.json',
      (b: string) => ({ body: documentFor(`${b}/basic.json`, { token_endpoint_auth_method: 'client_secret_basic' }) }),
      'shared secret',
    ],
    [
      'a redirect URI breaks the rules',
      '/redir.json',
      (b: string) => ({ body: documentFor(`${b}/redir.json`, { redirect_uris: ['http://app.example/cb'] }) }),
      'loopback',
    ],
  ])('refuses a document when %s', async (_what, path, answer, reason) => {
    answers[path] = answer;
    const err = await resolver()
      .resolve(`${docBase}${path}`)
      .then(
        () => undefined,
        (e: unknown) => e as { error?: string; description?: string },
      );
    expect(err?.error).toBe('invalid_client');
    expect(err?.description).toContain(reason);
  });

  it.each([
    ['a private address', 'https://10.1.2.3/client.json'],
    ['a link-local (metadata service) address', 'https://169.254.169.254/latest.json'],
    ['a carrier-grade NAT address', 'https://100.64.0.1/client.json'],
    ['an IPv6 unique local address', 'https://[fd00::1]/client.json'],
  ])('refuses %s, also with the loopback exception', async (_what, url) => {
    const err = await resolver()
      .resolve(url)
      .then(
        () => undefined,
        (e: unknown) => e as { description?: string },
      );
    expect(err?.description).toMatch(/address_not_allowed/);
  });

  it('refuses loopback outside the demo exception', async () => {
    answers['/ok.json'] = (b) => ({ body: documentFor(`${b}/ok.json`) });
    const err = await resolver({ loopback: false })
      .resolve(`${docBase}/ok.json`)
      .then(
        () => undefined,
        (e: unknown) => e as { description?: string },
      );
    expect(err?.description).toMatch(/address_not_allowed/);
  });

  it.each([
    ['http', 'http://localhost/client.json', 'https'],
    ['no path', 'https://client.example', 'path'],
    ['a fragment', 'https://client.example/a#b', 'fragment'],
    ['user information', 'https://u:p@client.example/a', 'user information'],
    ['dot segments', 'https://client.example/a/../b', 'dot segments'],
  ])('refuses a client_id URL with %s before fetching', async (_what, url, reason) => {
    const err = await resolver()
      .resolve(url)
      .then(
        () => undefined,
        (e: unknown) => e as { description?: string },
      );
    expect(err?.description).toContain(reason);
  });

  it('remembers a failure for failureCacheTime: no new fetch meanwhile', async () => {
    answers['/flaky.json'] = () => ({ status: 500, body: '{}' });
    const clock = new TestClock();
    const r = resolver({ clock });
    const url = `${docBase}/flaky.json`;
    await expect(r.resolve(url)).rejects.toThrow();
    await expect(r.resolve(url)).rejects.toThrow();
    expect(hits.get('/flaky.json')).toBe(1);
    clock.advance(settings.failureCacheTime + 1);
    answers['/flaky.json'] = (b) => ({ body: documentFor(`${b}/flaky.json`) });
    expect((await r.resolve(url)).definition.clientId).toBe(url);
  });

  it('the authorize endpoint answers an error page (never a 5xx) for a document it refuses', async () => {
    for (const path of ['/other-id.json', '/slow.json']) {
      const q = new URLSearchParams({
        client_id: `https://10.0.0.1${path}`,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      const res = await fetch(`${s.url}/connect/authorize?${q}`, { redirect: 'manual' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('location')).toBeNull();
    }
  });

  describe('the demo server (gatehouse start, NODE_EXTRA_CA_CERTS) and real clients', () => {
    let demo: CliServer;
    beforeAll(async () => {
      demo = await startCliServer({ env: { NODE_EXTRA_CA_CERTS: cert.caFile } });
    }, 60_000);
    afterAll(() => demo?.close());

    /** An MCP SDK client provider that keeps everything in memory; `redirectedTo` is where it would send the browser. */
    function mcpProvider(clientMetadataUrl?: string) {
      const state: { info?: any; tokens?: any; verifier?: string; redirectedTo?: URL } = {};
      const provider: OAuthClientProvider = {
        get redirectUrl() {
          return REDIRECT;
        },
        clientMetadataUrl,
        get clientMetadata() {
          return {
            client_name: 'MCP test client',
            redirect_uris: [REDIRECT],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'none',
          };
        },
        clientInformation: () => state.info,
        saveClientInformation: (info) => void (state.info = info),
        tokens: () => state.tokens,
        saveTokens: (t) => void (state.tokens = t),
        redirectToAuthorization: (url) => void (state.redirectedTo = url),
        saveCodeVerifier: (v) => void (state.verifier = v),
        codeVerifier: () => state.verifier!,
      };
      return { provider, state };
    }

    async function mcpSignIn(clientMetadataUrl?: string) {
      const { provider, state } = mcpProvider(clientMetadataUrl);
      const serverUrl = `${demo.url}/api/test`;
      expect(await auth(provider, { serverUrl, scope: 'openid api' })).toBe('REDIRECT');
      const url = state.redirectedTo!;
      expect(url.searchParams.get('resource')).toBe(serverUrl);
      const callback = await signInAndConsent(url, REDIRECT);
      expect(await auth(provider, { serverUrl, authorizationCode: callback.searchParams.get('code')! })).toBe('AUTHORIZED');
      const token = state.tokens.access_token as string;
      // RFC 8707: the token is bound to the API it was requested for.
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
      expect(claims.aud).toBe(serverUrl);
      const api = await fetch(serverUrl, { headers: { authorization: `Bearer ${token}` } });
      expect(api.status).toBe(200);
      return { url, state };
    }

    it('the MCP SDK signs in with a metadata document as its client_id, token bound to /api/test', async () => {
      const docUrl = `${docBase}/mcp.json`;
      answers['/mcp.json'] = () => ({
        body: documentFor(docUrl, { grant_types: ['authorization_code', 'refresh_token'], scope: 'openid api', token_endpoint_auth_method: 'none' }),
      });
      const { url, state } = await mcpSignIn(docUrl);
      expect(url.searchParams.get('client_id')).toBe(docUrl);
      expect(state.info.client_id).toBe(docUrl);
    });

    it('the MCP SDK registers itself (RFC 7591) when it has no metadata document', async () => {
      const { state } = await mcpSignIn();
      // A client_id of this server's making, not a URL.
      expect(state.info.client_id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    });

    it('the MCP SDK’s registerClient is refused a redirect URI off the loopback hosts (anonymous policy)', async () => {
      const metadata = (await (await fetch(`${demo.url}/.well-known/oauth-authorization-server`)).json()) as never;
      await expect(registerClient(demo.url, { metadata, clientMetadata: { redirect_uris: ['https://evil.example/cb'] } })).rejects.toThrow(/redirect/i);
    });
  });
});
