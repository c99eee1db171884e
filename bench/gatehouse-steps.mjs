/**
 * The steps of a Gatehouse client against the demo configuration, shared by
 * the load generator (bench/flows.mjs) and the soak test (bench/soak.mjs):
 * a complete authorization-code + PKCE flow through the built-in login form,
 * and one refresh grant. Both throw a FlowError on an unexpected answer.
 *
 * @example
 * const steps = gatehouseSteps(createClient(base, 32), base);
 * const tokens = await steps.flow('alice');          // { id_token, access_token, refresh_token, ... }
 * const next = await steps.refresh(tokens.refresh_token); // the whole token response
 * const device = await steps.deviceFlow('bob');     // RFC 8628, through the verification page
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './http-client.mjs';
import { DEMO_CLIENT, FlowError, expect, sendWithJar } from './flow-loop.mjs';
import { basicAuth } from './http-client.mjs';

const { authorization: CLIENT, redirectUri: REDIRECT, scope: SCOPE } = DEMO_CLIENT;
/** The demo client that must push its authorization requests (RFC 9126): interactive.confidential.par. */
const PAR_CLIENT_ID = 'interactive.confidential.par';
const PAR_CLIENT = basicAuth(PAR_CLIENT_ID, 'secret');

/** `client`: bench/http-client.mjs bound to `base`. */
export function gatehouseSteps(client, base) {
  const pathOf = (location) => {
    const u = new URL(location, base);
    return u.pathname + u.search;
  };
  /** GET/POST with the jar's cookies, storing the response's cookies. */
  const send = (jar, method, path, body, extra) => sendWithJar(client, jar, method, path, body, extra);

  /**
   * One complete flow as `username` (password = username); resolves with the token response.
   * With `par`, the client interactive.confidential.par first pushes the request (RFC 9126) and the
   * browser goes to the authorization endpoint with the request_uri only.
   */
  async function flow(username, { par = false } = {}) {
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const clientId = par ? PAR_CLIENT_ID : 'interactive.confidential';
    const authorization = par ? PAR_CLIENT : CLIENT;
    let q = new URLSearchParams({
      client_id: clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: SCOPE,
      state: randomBytes(8).toString('base64url'),
      nonce: randomBytes(8).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    if (par) {
      const pushed = expect(await send(new CookieJar(), 'POST', '/connect/par', q.toString(), { authorization }), 201, 'par');
      q = new URLSearchParams({ client_id: clientId, request_uri: JSON.parse(pushed.body).request_uri });
    }
    let res = expect(await send(jar, 'GET', `/connect/authorize?${q}`), 303, 'authorize');
    const loginPath = pathOf(res.headers.location);
    const page = expect(await send(jar, 'GET', loginPath), 200, 'login page').body;
    const action = page.match(/<form method="post" action="([^"]*\/login\?[^"]*)"/)?.[1]?.replace(/&amp;/g, '&');
    const csrf = page.match(/name="csrf" value="([^"]*)"/)?.[1];
    if (!action || !csrf) throw new FlowError('login page: form or csrf field not found');
    const form = new URLSearchParams({ csrf, username, password: username }).toString();
    res = expect(await send(jar, 'POST', action, form), 303, 'login form');
    // The built-in login page continues the flow itself; a detour through the resume endpoint is followed.
    if (!res.headers.location.startsWith(REDIRECT)) res = expect(await send(jar, 'GET', pathOf(res.headers.location)), 303, 'resume');
    const code = new URL(res.headers.location).searchParams.get('code');
    if (!code) throw new FlowError(`login: no code in ${res.headers.location}`);
    const tokenForm = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString();
    res = expect(await send(new CookieJar(), 'POST', '/connect/token', tokenForm, { authorization }), 200, 'token');
    const tokens = JSON.parse(res.body);
    if (!tokens.id_token || !tokens.access_token) throw new FlowError('token: id_token or access_token missing');
    return tokens;
  }

  /** One refresh grant; resolves with the token response (its refresh_token continues the chain). */
  async function refresh(refreshToken) {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
    const res = expect(await send(new CookieJar(), 'POST', '/connect/token', body, { authorization: CLIENT }), 200, 'refresh');
    const tokens = JSON.parse(res.body);
    if (!tokens.id_token || !tokens.access_token || !tokens.refresh_token) throw new FlowError('refresh: a token is missing');
    return tokens;
  }

  const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
  const csrfOf = (html, step) => {
    const csrf = html.match(/name="csrf" value="([^"]*)"/)?.[1];
    if (!csrf) throw new FlowError(`${step}: csrf field not found`);
    return csrf;
  };

  /**
   * One complete device flow (RFC 8628) as `username` with the demo's public
   * `device` client: device authorization -> GET the verification page ->
   * POST the code -> GET + POST the login page -> GET + POST the consent page
   * -> GET the callback (done page) -> POST token with the device code.
   * Resolves with the token response.
   */
  async function deviceFlow(username) {
    const scope = 'openid profile api offline_access';
    const authorization = new URLSearchParams({ client_id: 'device', scope }).toString();
    let res = expect(await send(new CookieJar(), 'POST', '/connect/deviceauthorization', authorization), 200, 'device authorization');
    const { device_code: deviceCode, user_code: userCode } = JSON.parse(res.body);
    const jar = new CookieJar();
    const page = expect(await send(jar, 'GET', `/ui/device?user_code=${encodeURIComponent(userCode)}`), 200, 'device page').body;
    const code = new URLSearchParams({ csrf: csrfOf(page, 'device page'), user_code: userCode }).toString();
    res = expect(await send(jar, 'POST', '/ui/device', code), 303, 'device code form');
    const loginPath = pathOf(res.headers.location);
    const login = expect(await send(jar, 'GET', loginPath), 200, 'login page').body;
    const credentials = new URLSearchParams({ csrf: csrfOf(login, 'login page'), username, password: username }).toString();
    res = expect(await send(jar, 'POST', loginPath, credentials), 303, 'login form');
    const consentPath = pathOf(res.headers.location);
    const consent = expect(await send(jar, 'GET', consentPath), 200, 'consent page').body;
    const decision = new URLSearchParams({ csrf: csrfOf(consent, 'consent page'), decision: 'allow' });
    for (const s of scope.split(' ')) decision.append('scope', s);
    res = expect(await send(jar, 'POST', consentPath, decision.toString()), 303, 'consent form');
    const done = expect(await send(jar, 'GET', pathOf(res.headers.location)), 200, 'device callback').body;
    if (!done.includes('gh-header')) throw new FlowError('device callback: no done page');
    const poll = new URLSearchParams({ grant_type: DEVICE_GRANT, client_id: 'device', device_code: deviceCode }).toString();
    res = expect(await send(new CookieJar(), 'POST', '/connect/token', poll), 200, 'device token');
    const tokens = JSON.parse(res.body);
    if (!tokens.id_token || !tokens.access_token || !tokens.refresh_token) throw new FlowError('device token: a token is missing');
    return tokens;
  }

  return { flow, refresh, deviceFlow };
}
