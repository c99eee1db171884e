/**
 * The stateful load generator for oidc-provider (bench/compare/oidc-provider-server.mjs),
 * the counterpart of bench/flows.mjs: same modes, same measuring loop
 * (bench/flow-loop.mjs), same HTTP client and statistics, same output line.
 * Endpoints are taken from the server's discovery document.
 *
 * Modes (`mode` in the JSON argument):
 * - `flows`: N virtual users, each looping GET authorization -> GET login page
 *   (/interaction/:uid) -> POST login form -> GET resume (/auth/:uid) -> POST
 *   token (code + code_verifier), with a fresh cookie jar per flow. One sample
 *   = one complete flow; the token response must carry an id_token, a JWT
 *   access token (three dot-separated parts) and a refresh_token.
 * - `refresh`: each virtual user first runs one flow (not timed), then loops
 *   refresh_token grants on its own rotating chain. One sample = one grant.
 * - `token`: runs one flow WITHOUT the `api` scope and prints its access
 *   token: oidc-provider's userinfo endpoint accepts only its opaque access
 *   tokens, not the JWTs it issues for a resource server.
 * - `check`: runs one flow of each kind and prints what was issued (token
 *   response fields, the JWT access token's header and claims, the userinfo
 *   answer), for the documentation.
 *
 * @example
 * taskset -c 1 node bench/compare/oidc-provider-flows.mjs '{"base":"http://127.0.0.1:5300","mode":"flows","connections":32,"duration":5}'
 */
import { createHash, randomBytes } from 'node:crypto';
import { basicAuth, CookieJar } from '../http-client.mjs';
import { emitResult } from '../stats.mjs';
import { DEMO_CLIENT, driverSetup, FlowError, expect, sendWithJar, timed } from '../flow-loop.mjs';

const { spec, loop, client, pathOf } = driverSetup(process.argv[2], 'http://127.0.0.1:5300');
const { authorization: CLIENT, redirectUri: REDIRECT, scope: SCOPE } = DEMO_CLIENT;
const REDIRECTED = [302, 303];
const send = (jar, method, path, body, extra) => sendWithJar(client, jar, method, path, body, extra);

const discovery = JSON.parse(expect(await client.request('GET', '/.well-known/openid-configuration'), 200, 'discovery').body);
const AUTHORIZE = pathOf(discovery.authorization_endpoint);
const TOKEN = pathOf(discovery.token_endpoint);
const USERINFO = pathOf(discovery.userinfo_endpoint);
const isJwt = (t) => typeof t === 'string' && t.split('.').length === 3;

/** One complete flow; resolves with the token response. */
async function flow(username, scope = SCOPE) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('base64url');
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope,
    state,
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let res = expect(await send(jar, 'GET', `${AUTHORIZE}?${q}`), REDIRECTED, 'authorize');
  const loginPath = pathOf(res.headers.location);
  const page = expect(await send(jar, 'GET', loginPath), 200, 'login page').body;
  const action = page.match(/<form method="post" action="([^"]*\/login)"/)?.[1];
  if (!action) throw new FlowError('login page: form not found');
  const form = new URLSearchParams({ username, password: username }).toString();
  res = expect(await send(jar, 'POST', action, form), REDIRECTED, 'login form');
  res = expect(await send(jar, 'GET', pathOf(res.headers.location)), REDIRECTED, 'resume');
  const callback = new URL(res.headers.location);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) throw new FlowError(`resume: no code or wrong state in ${res.headers.location}`);
  const tokenForm = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString();
  res = expect(await send(new CookieJar(), 'POST', TOKEN, tokenForm, { authorization: CLIENT }), 200, 'token');
  const tokens = JSON.parse(res.body);
  if (!tokens.id_token || !tokens.access_token) throw new FlowError('token: id_token or access_token missing');
  if (scope === SCOPE && (!isJwt(tokens.access_token) || !tokens.refresh_token)) throw new FlowError('token: access token not a JWT or refresh_token missing');
  return tokens;
}

/** One refresh grant; resolves with the next refresh token of the chain. */
async function refresh(refreshToken) {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
  const res = expect(await send(new CookieJar(), 'POST', TOKEN, body, { authorization: CLIENT }), 200, 'refresh');
  const tokens = JSON.parse(res.body);
  if (!tokens.id_token || !isJwt(tokens.access_token) || !tokens.refresh_token)
    throw new FlowError('refresh: a token is missing or the access token is not a JWT');
  return tokens.refresh_token;
}

const decode = (jwt) =>
  jwt
    .split('.')
    .slice(0, 2)
    .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')));

// Virtual user i logs in as users[i % users.length] (demo users; password = username).
const users = spec.users ?? ['alice'];
let next = 0;
const user = () => users[next++ % users.length];
let result;
if (spec.mode === 'flows') {
  result = await timed(
    loop,
    async () => undefined,
    async () => void (await flow(user())),
  );
  result.requestsPerFlow = 5;
} else if (spec.mode === 'refresh') {
  result = await timed(
    loop,
    async () => (await flow(user())).refresh_token,
    (rt) => refresh(rt),
  );
} else if (spec.mode === 'token') {
  result = { accessToken: (await flow(user(), 'openid profile email offline_access')).access_token };
} else if (spec.mode === 'check') {
  const full = await flow(user());
  const [atHeader, atClaims] = decode(full.access_token);
  const [, idClaims] = decode(full.id_token);
  const refreshed = JSON.parse(
    (
      await send(new CookieJar(), 'POST', TOKEN, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: full.refresh_token }).toString(), {
        authorization: CLIENT,
      })
    ).body,
  );
  const reuse = await send(new CookieJar(), 'POST', TOKEN, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: full.refresh_token }).toString(), {
    authorization: CLIENT,
  });
  const withJwt = await client.request('GET', USERINFO, { authorization: `Bearer ${full.access_token}` });
  const opaque = (await flow(user(), 'openid profile email offline_access')).access_token;
  const withOpaque = await client.request('GET', USERINFO, { authorization: `Bearer ${opaque}` });
  const cc = JSON.parse(
    (
      await client.request(
        'POST',
        TOKEN,
        { authorization: basicAuth('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        'grant_type=client_credentials&scope=api',
      )
    ).body,
  );
  result = {
    endpoints: { AUTHORIZE, TOKEN, USERINFO, jwks: pathOf(discovery.jwks_uri) },
    tokenResponse: Object.keys(full),
    accessToken: { header: atHeader, claims: atClaims },
    idToken: idClaims,
    refreshed: { keys: Object.keys(refreshed), accessTokenIsJwt: isJwt(refreshed.access_token), rotated: refreshed.refresh_token !== full.refresh_token },
    reuseOfRotatedRefreshToken: { status: reuse.status, body: reuse.body },
    userinfoWithJwt: { status: withJwt.status, wwwAuthenticate: withJwt.headers['www-authenticate'] },
    userinfoWithOpaque: { status: withOpaque.status, body: JSON.parse(withOpaque.body), tokenLength: opaque.length },
    clientCredentials: { keys: Object.keys(cc), accessToken: decode(cc.access_token) },
  };
} else {
  throw new Error(`unknown mode ${spec.mode}`);
}
client.close();
emitResult({ tool: 'node', mode: spec.mode, ...result });
