/**
 * The OpenID conformance suite's Front-Channel Logout OP plan
 * (oidcc-frontchannel-rp-initiated-logout-certification-test-plan),
 * Back-Channel Logout OP plan (oidcc-backchannel-rp-initiated-logout-
 * certification-test-plan) and Session Management OP plan
 * (oidcc-session-management-certification-test-plan), re-expressed as
 * black-box tests against `gatehouse start` over https, one test per module.
 *
 * The suite's own endpoints (callback, post_logout_redirect,
 * frontchannel_logout, backchannel_logout, the session check pages) are
 * served by a real https server (suite-server.ts); the test runs Gatehouse on
 * a copy of config/conformance.json whose suite URIs point there. Gatehouse
 * trusts the dev-cert CA through NODE_EXTRA_CA_CERTS, so its back-channel
 * POSTs go over verified TLS. The browser steps (the front-channel iframe,
 * the check_session_iframe) run in one Chromium that trusts the dev
 * certificate by its key (--ignore-certificate-errors-spki-list).
 */
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli-server.js';
import { launchBrowser, newContext } from '../helpers/browser.js';
import { requirePrograms } from '../helpers/requirements.js';
import { CLIENT, Rp, SUITE, type AuthorizationOutcome } from './rp.js';
import { makeDevCert, startHttpsOp, type DevCert, type HttpsOp } from './https-op.js';
import { startSuiteServer, type SuiteRequest, type SuiteServer } from './suite-server.js';

const FRONT_CHANNEL_CLIENT = 'conformance.frontchannel';
const BACK_CHANNEL_CLIENT = 'conformance.backchannel';
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** CheckErrorFromAuthorizationEndpointIsOneThatRequiredAUserInterface (OIDC Core §3.1.2.6). */
const NEEDS_USER = ['login_required', 'interaction_required', 'account_selection_required', 'consent_required'];

// Chromium plays the user agent; the https OP's certificate comes from `gatehouse dev-cert` (openssl).
const skip = requirePrograms(['chromium', 'openssl']);

let cert: DevCert;
let suite: SuiteServer;
let op: HttpsOp;
let rp: Rp;
let browser: Browser;
let configDir: string;

/** The SHA-256 of the certificate's public key, base64: what Chromium's SPKI allow-list takes. */
const spkiHash = (pemFile: string) =>
  createHash('sha256')
    .update(new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');

beforeAll(async () => {
  cert = await makeDevCert();
  suite = await startSuiteServer(cert);
  configDir = mkdtempSync(join(tmpdir(), 'gh-conformance-logout-'));
  const config = join(configDir, 'conformance.json');
  writeFileSync(config, readFileSync(join(ROOT, 'config/conformance.json'), 'utf8').replaceAll(SUITE, suite.base));
  op = await startHttpsOp({ cert, config, env: { NODE_EXTRA_CA_CERTS: cert.caFile } });
  rp = await new Rp(op.url).init();
  browser = await launchBrowser([`--ignore-certificate-errors-spki-list=${spkiHash(cert.certFile)}`]);
});
afterAll(async () => {
  await browser?.close();
  await op?.close();
  await suite?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** AbstractOIDCCRpInitiatedLogout: a 128-character state, to see the OP does not corrupt a long one. */
const longState = () => randomBytes(96).toString('base64url').replace(/[-_]/g, 'x').slice(0, 128);

/** The suite's end session request: id_token_hint, its post_logout_redirect and a long state. */
function endSessionUrl(idToken: string): { url: string; state: string } {
  const state = longState();
  const params = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${suite.base}/post_logout_redirect`, state });
  return { url: `${rp.discovery.end_session_endpoint}?${params}`, state };
}

/** CheckPostLogoutState and CheckForUnexpectedParametersInPostLogoutRedirect. */
function expectPostLogoutRedirect(query: URLSearchParams, state: string) {
  expect([...query.keys()]).toEqual(['state']);
  expect(query.get('state')).toBe(state);
}

/** The discovery checks the three *-discovery-endpoint-verification modules share. */
async function discovery() {
  const res = await fetch(`${op.url}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const d = (await res.json()) as Record<string, unknown>;
  // CheckDiscEndSessionEndpoint: a valid https URL.
  expect(new URL(d.end_session_endpoint as string).protocol).toBe('https:');
  return d;
}

/** CheckDiscEndpointAllEndpointsAreHttps: every *_endpoint member is an https URL. */
function allEndpointsHttps(d: Record<string, unknown>) {
  const endpoints = Object.entries(d).filter(([k]) => k.endsWith('_endpoint'));
  expect(endpoints.length).toBeGreaterThanOrEqual(6);
  for (const [k, v] of endpoints) expect(new URL(v as string).protocol, k).toBe('https:');
}

/** The browser's view of an authorization response at the suite's callback. */
async function callback(page: Page): Promise<AuthorizationOutcome> {
  await page.waitForURL((u) => u.href.startsWith(`${suite.base}/callback`));
  return { params: new URL(page.url()).searchParams, via: 'query', pages: [] };
}

/**
 * AbstractOIDCCServerTest's flow in the browser: authorization request as
 * `clientId`, alice signs in, then the code exchange (client_secret_basic),
 * the ID token checks and userinfo from the suite's side.
 */
async function signInInBrowser(page: Page, clientId: string) {
  const redirect_uri = `${suite.base}/callback`;
  const sent = rp.request({ redirect_uri }, clientId);
  await page.goto(`${rp.discovery.authorization_endpoint}?${new URLSearchParams(sent)}`);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'alice');
  await page.click('button[type=submit].gh-button-primary');
  const outcome = await callback(page);
  const code = rp.expectCode(outcome, sent);
  const tokens = await rp.expectTokens(await rp.exchange(code, { redirect_uri }, 'basic', clientId), { nonce: sent.nonce, clientId });
  await rp.expectUserinfo(tokens.body.access_token, tokens.claims.sub!);
  return { response: outcome.params!, ...tokens };
}

/** The second authorization of every logout module: prompt=none must fail with an error that needs the user. */
async function expectLoggedOutInBrowser(page: Page, clientId: string) {
  const sent = rp.request({ redirect_uri: `${suite.base}/callback`, prompt: 'none' }, clientId);
  await page.goto(`${rp.discovery.authorization_endpoint}?${new URLSearchParams(sent)}`);
  const error = rp.expectRedirectedError(await callback(page), sent, NEEDS_USER);
  expect(error).toBe('login_required');
}

describe.skipIf(!!skip)('Front-Channel Logout OP', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await newContext(browser);
  });
  afterAll(() => context?.close());

  it('oidcc-frontchannel-logout-discovery-endpoint-verification', async () => {
    const d = await discovery();
    allEndpointsHttps(d);
    expect(d.frontchannel_logout_supported).toBe(true);
    // Certification requires sid in the ID token and the logout request.
    expect(d.frontchannel_logout_session_supported).toBe(true);
  });

  it('oidcc-frontchannel-rp-initiated-logout', async () => {
    const page = await context.newPage();
    const { claims, idToken } = await signInInBrowser(page, FRONT_CHANNEL_CLIENT);
    expect(claims.sid).toBeTypeOf('string');

    const before = suite.received.length;
    const { url, state } = endSessionUrl(idToken);
    await page.goto(url);
    // The OP's page loads the frontchannel_logout_uri, then sends the browser to the post_logout_redirect_uri.
    await page.waitForURL((u) => u.href.startsWith(`${suite.base}/post_logout_redirect`));
    const frame = suite.received.slice(before).find((r) => r.path === '/frontchannel_logout');
    expect(frame, 'the OP never loaded the frontchannel_logout_uri').toBeDefined();
    expect(frame!.method).toBe('GET');
    // CheckForUnexpectedParametersInFrontchannelLogoutRequest, ValidateFrontchannelLogoutIss,
    // CheckIdTokenSidMatchesFrontChannelLogoutRequest.
    expect([...frame!.query.keys()].sort()).toEqual(['iss', 'sid']);
    expect(frame!.query.get('iss')).toBe(rp.issuer);
    expect(frame!.query.get('sid')).toBe(claims.sid);
    // The frame is loaded before the browser moves on to the client.
    const order = suite.received.slice(before).map((r) => r.path);
    expect(order.indexOf('/frontchannel_logout')).toBeLessThan(order.indexOf('/post_logout_redirect'));

    expectPostLogoutRedirect(new URL(page.url()).searchParams, state);
    await expectLoggedOutInBrowser(page, FRONT_CHANNEL_CLIENT);
  });
});

describe.skipIf(!!skip)('Back-Channel Logout OP', () => {
  it('oidcc-backchannel-logout-discovery-endpoint-verification', async () => {
    const d = await discovery();
    allEndpointsHttps(d);
    expect(d.backchannel_logout_supported).toBe(true);
    // Certification requires sid in the ID token and the logout token.
    expect(d.backchannel_logout_session_supported).toBe(true);
  });

  it('oidcc-backchannel-rp-initiated-logout', async () => {
    const redirect_uri = `${suite.base}/callback`;
    const sent = rp.request({ redirect_uri }, BACK_CHANNEL_CLIENT);
    const outcome = await rp.authorize(sent);
    const code = rp.expectCode(outcome, sent);
    const { claims, idToken, body } = await rp.expectTokens(await rp.exchange(code, { redirect_uri }, 'basic', BACK_CHANNEL_CLIENT), {
      nonce: sent.nonce,
      clientId: BACK_CHANNEL_CLIENT,
    });
    await rp.expectUserinfo(body.access_token, claims.sub!);
    expect(claims.sid).toBeTypeOf('string');

    const before = suite.received.length;
    const { url, state } = endSessionUrl(idToken);
    const res = await outcome.jar.fetch(url);
    // No front-channel client in this session: straight back to the client.
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(`${suite.base}/post_logout_redirect`);
    expectPostLogoutRedirect(back.searchParams, state);

    const post: SuiteRequest = await suite.next('/backchannel_logout', before);
    expect(post.method).toBe('POST');
    // EnsureIncomingTls12WithSecureCipherOrTls13 (a warning in the suite).
    expect(['TLSv1.2', 'TLSv1.3']).toContain(post.tlsProtocol);
    // §2.5: form-encoded, logout_token only (CheckForUnexpectedParametersInBackchannelLogoutRequest).
    expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(post.body);
    expect([...form.keys()]).toEqual(['logout_token']);
    const logoutToken = form.get('logout_token')!;

    // ValidateLogoutTokenSignature: signed by a key of the OP's JWKS with an advertised algorithm;
    // §2.4 (errata 1): explicitly typed logout+jwt.
    const jwks = createLocalJWKSet((await (await fetch(rp.discovery.jwks_uri)).json()) as never);
    const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
      issuer: rp.issuer,
      audience: BACK_CHANNEL_CLIENT,
      typ: 'logout+jwt',
      algorithms: rp.discovery.id_token_signing_alg_values_supported,
    });
    expect(decodeProtectedHeader(logoutToken).typ).toBe('logout+jwt');
    expect(protectedHeader.alg).not.toBe('none');
    // ValidateLogoutTokenClaims: iss and aud (checked above), iat not in the future, jti, events.
    const now = Date.now() / 1000;
    expect(payload.iat).toBeTypeOf('number');
    expect(payload.iat!).toBeLessThanOrEqual(now + 300);
    expect(payload.jti).toBeTypeOf('string');
    expect(payload.jti!.length).toBeGreaterThan(0);
    expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
    // §2.4 (errata 1): exp is required; §4 recommends at most two minutes.
    expect(payload.exp).toBeTypeOf('number');
    expect(payload.exp!).toBeGreaterThan(now);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    // CheckIdTokenSubMatchesLogoutToken, CheckIdTokenSidMatchesLogoutToken, CheckLogoutTokenHasSubOrSid.
    expect(payload.sub).toBe(claims.sub);
    expect(payload.sid).toBe(claims.sid);
    // CheckLogoutTokenNoNonce.
    expect(payload).not.toHaveProperty('nonce');

    // performAuthorizationFlow with prompt=none: the user is logged out.
    const again = rp.request({ redirect_uri, prompt: 'none' }, BACK_CHANNEL_CLIENT);
    expect(rp.expectRedirectedError(await rp.authorize(again, { jar: outcome.jar, login: false }), again, NEEDS_USER)).toBe('login_required');
  });
});

describe.skipIf(!!skip)('Session Management OP', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await newContext(browser);
  });
  afterAll(() => context?.close());

  it('oidcc-session-management-discovery-endpoint-verification', async () => {
    const d = await discovery();
    // CheckDiscCheckSessionIframe: a valid https URL.
    const iframe = new URL(d.check_session_iframe as string);
    expect(iframe.protocol).toBe('https:');
    expect(iframe.origin).toBe(op.url);
  });

  /**
   * The suite's session check: its session_verify page frames the OP's
   * check_session_iframe and its rp_session_iframe, which asks about the
   * session and reports the answer at session_result.
   */
  async function checkSession(page: Page, sessionState: string, result: 'session_result' | 'second_session_result'): Promise<string | null> {
    const q = new URLSearchParams({
      check_session_iframe: rp.discovery.check_session_iframe,
      client_id: CLIENT,
      session_state: sessionState,
      issuer: rp.issuer,
      result: `${suite.base}/${result}`,
    });
    await page.goto(`${suite.base}/session_verify?${q}`);
    await page.waitForURL((u) => u.href.startsWith(`${suite.base}/${result}`));
    return new URL(page.url()).searchParams.get('state');
  }

  it('oidcc-session-management-rp-initiated-logout', async () => {
    const page = await context.newPage();
    const { response, idToken } = await signInInBrowser(page, CLIENT);
    // ExtractSessionStateFromAuthorizationResponse.
    const sessionState = response.get('session_state');
    expect(sessionState).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9_-]+$/);

    // CheckSessionResultIsUnchanged.
    expect(await checkSession(page, sessionState!, 'session_result')).toBe('unchanged');

    const before = suite.received.length;
    const { url, state } = endSessionUrl(idToken);
    await page.goto(url);
    await page.waitForURL((u) => u.href.startsWith(`${suite.base}/post_logout_redirect`));
    expect(suite.received.slice(before).some((r) => r.path === '/post_logout_redirect')).toBe(true);
    expectPostLogoutRedirect(new URL(page.url()).searchParams, state);

    // CheckSecondSessionResultIsChanged: the same session_state, asked after the logout.
    expect(await checkSession(page, sessionState!, 'second_session_result')).toBe('changed');
  });
});
