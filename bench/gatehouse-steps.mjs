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
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './http-client.mjs';
import { DEMO_CLIENT, FlowError, expect, sendWithJar } from './flow-loop.mjs';

const { authorization: CLIENT, redirectUri: REDIRECT, scope: SCOPE } = DEMO_CLIENT;

/** `client`: bench/http-client.mjs bound to `base`. */
export function gatehouseSteps(client, base) {
  const pathOf = (location) => {
    const u = new URL(location, base);
    return u.pathname + u.search;
  };
  /** GET/POST with the jar's cookies, storing the response's cookies. */
  const send = (jar, method, path, body, extra) => sendWithJar(client, jar, method, path, body, extra);

  /** One complete flow as `username` (password = username); resolves with the token response. */
  async function flow(username) {
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({
      client_id: 'interactive.confidential',
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: SCOPE,
      state: randomBytes(8).toString('base64url'),
      nonce: randomBytes(8).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
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
    res = expect(await send(new CookieJar(), 'POST', '/connect/token', tokenForm, { authorization: CLIENT }), 200, 'token');
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

  return { flow, refresh };
}
