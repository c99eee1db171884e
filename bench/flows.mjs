/**
 * The stateful load generator: complete authorization-code + PKCE flows
 * through the built-in login form, refresh-token rotation chains, and a
 * one-shot token fetch (the Bearer token of the userinfo scenario).
 *
 * Modes (`mode` in the JSON argument):
 * - `flows`: N virtual users, each looping GET authorize -> GET login page ->
 *   POST login form (303 to the client with the code) -> POST token (code +
 *   code_verifier), with a fresh cookie jar per flow. One sample = one complete flow.
 * - `refresh`: each virtual user first runs one flow (not timed), then loops
 *   refresh_token grants on its own one-time-use chain. One sample = one grant.
 * - `token`: runs one flow and prints its access token.
 * `users` (default ["alice"]) lists the demo users logged in, in turn.
 *
 * @example
 * taskset -c 1 node bench/flows.mjs '{"base":"http://127.0.0.1:5000","mode":"flows","connections":32,"duration":5}'
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './http-client.mjs';
import { emitResult } from './stats.mjs';
import { DEMO_CLIENT, driverSetup, FlowError, expect, sendWithJar, timed as runTimed } from './flow-loop.mjs';

const { spec, loop, client, pathOf } = driverSetup(process.argv[2], 'http://127.0.0.1:5000');
const { authorization: CLIENT, redirectUri: REDIRECT, scope: SCOPE } = DEMO_CLIENT;

/** GET/POST with the jar's cookies, storing the response's cookies. */
const send = (jar, method, path, body, extra) => sendWithJar(client, jar, method, path, body, extra);

/** One complete flow; resolves with the token response. */
async function flow(username) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: 'interactive.confidential', redirect_uri: REDIRECT, response_type: 'code', scope: SCOPE,
    state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'),
    code_challenge: challenge, code_challenge_method: 'S256',
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

/** One refresh grant; resolves with the next refresh token of the chain. */
async function refresh(refreshToken) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
  const res = expect(await send(new CookieJar(), 'POST', '/connect/token', body, { authorization: CLIENT }), 200, 'refresh');
  const tokens = JSON.parse(res.body);
  if (!tokens.id_token || !tokens.access_token || !tokens.refresh_token) throw new FlowError('refresh: a token is missing');
  return tokens.refresh_token;
}

/** Runs `step(state)` in N loops for the duration; records each step's latency (bench/flow-loop.mjs). */
const timed = (setup, step) => runTimed(loop, setup, step);

// Virtual user i logs in as users[i % users.length] (demo users; password = username).
const users = spec.users ?? ['alice'];
let next = 0;
const user = () => users[next++ % users.length];
let result;
if (spec.mode === 'flows') {
  result = await timed(async () => undefined, async () => void (await flow(user())));
  result.requestsPerFlow = 4;
} else if (spec.mode === 'refresh') {
  result = await timed(async () => (await flow(user())).refresh_token, (rt) => refresh(rt));
} else if (spec.mode === 'token') {
  result = { accessToken: (await flow(user())).access_token };
} else {
  throw new Error(`unknown mode ${spec.mode}`);
}
client.close();
emitResult({ tool: 'node', mode: spec.mode, ...result });
