/**
 * Storage amplification at /connect/authorize (issue 12 §2.3): what one
 * unauthenticated request may make the server store is small and short-lived,
 * and the endpoint has a rate limit by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { handleId } from '../../src/tokens/handles.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { requestFrom } from '../helpers/from-address.js';
import {
  authorizeUrl,
  authParams,
  expectErrorPage,
  expectRedirectError,
  FORM,
  isConsentPage,
  loginAndResume,
  openPage,
  PUB,
  PUB_REDIRECT,
  startAt,
} from './interaction-helpers.js';

/** The stored interaction a login/consent redirect names, as the store holds it. */
async function storedInteraction(s: TestServer, location: string) {
  const id = new URL(location, s.url).searchParams.get('id')!;
  return s.gh.context.backend.records.find('interaction', handleId(id));
}

const interactionCount = async (s: TestServer) => (await s.gh.context.backend.records.findMany('interaction')).length;

describe('what one authorization request stores', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('the 64 KB request with resource=api 4,700 times stores one resource: a small interaction', async () => {
    const { params } = await authParams({ scope: 'openid api' });
    const body = params.toString() + '&resource=api'.repeat(4700);
    expect(body.length).toBeGreaterThan(60_000);
    const res = await requestFrom(`${s.url}/connect/authorize`, { method: 'POST', headers: FORM, body });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/ui/login?id=');
    const rec = await storedInteraction(s, res.headers.location!);
    expect(rec).toBeDefined();
    const payload = rec!.payload as { request: { resourceIndicators: string[] } };
    expect(payload.request.resourceIndicators).toEqual(['api']);
    expect(JSON.stringify(rec).length).toBeLessThan(2048);
    // It lives the short pending lifetime (10 minutes), not the hour of a signed-in interaction.
    expect(rec!.expiresAt - rec!.createdAt).toBe(600);
  });

  it('more than 10 distinct resource values: invalid_target to the client, nothing stored', async () => {
    const before = await interactionCount(s);
    const { params } = await authParams({ scope: 'openid api' });
    for (let i = 0; i < 11; i++) params.append('resource', `https://api${i}.example.com/`);
    const res = await fetch(authorizeUrl(s.url, params), { redirect: 'manual' });
    const p = expectRedirectError(res, { issuer: s.url, error: 'invalid_target', state: 'st-1' });
    expect(p.get('error_description')).toContain('at most 10');
    expect(await interactionCount(s)).toBe(before);
  });

  it('more than 10 acr_values: invalid_request to the client', async () => {
    const { params } = await authParams({ acr_values: Array.from({ length: 11 }, (_, i) => `urn:acr:${i}`).join(' ') });
    expectRedirectError(await fetch(authorizeUrl(s.url, params), { redirect: 'manual' }), { issuer: s.url, error: 'invalid_request', state: 'st-1' });
  });
});

describe('authentication.maxInteractionSize', () => {
  it('refuses a request whose interaction would be larger, with invalid_request at the client, storing nothing', async () => {
    const s = await startTestServer({ mutate: (c) => (c.authentication = { maxInteractionSize: 1024 }) });
    try {
      const small = await fetch(authorizeUrl(s.url, (await authParams()).params), { redirect: 'manual' });
      expect(small.status).toBe(303);
      const before = await interactionCount(s);
      const { params } = await authParams({ state: 's'.repeat(700), nonce: 'n'.repeat(300) });
      const res = await fetch(authorizeUrl(s.url, params), { redirect: 'manual' });
      const p = expectRedirectError(res, { issuer: s.url, error: 'invalid_request', state: 's'.repeat(700) });
      expect(p.get('error_description')).toContain('too large');
      expect(await interactionCount(s)).toBe(before);
    } finally {
      await s.close();
    }
  });

  it('is part of the schema with a 16 KiB default; pending interactions live 10 minutes by default', () => {
    const { authentication, rateLimits } = parseConfig({}).config;
    expect(authentication.maxInteractionSize).toBe(16384);
    expect(authentication.pendingInteractionLifetime).toBe(600);
    expect(authentication.interactionLifetime).toBe(3600);
    // Non-zero default limits on the authorize and token endpoints, per address and per client.
    expect(rateLimits).toMatchObject({ authorizePerIp: 300, authorizePerClient: 3000, tokenPerIp: 1200, tokenPerClient: 6000 });
  });
});

describe('pendingInteractionLifetime', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.close());

  it('an interaction nobody signed in to expires after 10 minutes', async () => {
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    s.clock.advance(601);
    await expectErrorPage(await jar.fetch(page.url), 'invalid_request');
  });

  it('once signed in it lives interactionLifetime: the consent page still works after 10 minutes', async () => {
    const jar = new CookieJar();
    const { params } = await authParams({ client_id: PUB, redirect_uri: PUB_REDIRECT });
    const page = await startAt(jar, authorizeUrl(s.url, params), 'login');
    const toConsent = await loginAndResume(jar, s.url, page);
    expect(toConsent.headers.get('location')).toContain('/ui/consent?id=');
    const rec = await storedInteraction(s, toConsent.headers.get('location')!);
    expect(rec!.expiresAt - s.clock.now()).toBe(3600);
    s.clock.advance(601);
    expect(isConsentPage((await openPage(jar, new URL(toConsent.headers.get('location')!, s.url).toString())).html)).toBe(true);
  });
});

describe('default rate limit on the authorize endpoint', () => {
  it('one address gets 300 authorization requests a minute, then 429; another address is unaffected', async () => {
    const s = await startTestServer({ mutate: (c) => delete c.rateLimits });
    try {
      const { params } = await authParams();
      const url = authorizeUrl(s.url, params);
      for (let i = 0; i < 300; i++) {
        const r = await requestFrom(url, { from: '127.0.6.1' });
        if (r.status !== 303) throw new Error(`request ${i}: ${r.status}`);
      }
      expect((await requestFrom(url, { from: '127.0.6.1' })).status).toBe(429);
      expect((await requestFrom(url, { from: '127.0.6.2' })).status).toBe(303);
    } finally {
      await s.close();
    }
  }, 30_000);
});
