/**
 * The benchmark scenarios: what each one loads, which ceiling it is compared
 * with and its target share of that ceiling (issues 2 and 3).
 *
 * Ceilings: `bare` = req/s of a bare node:http server (bench/bare-server.mjs)
 * under the same load tool and connection count; `sign` = RS256 signatures
 * per second of one core (bench/sign-rate.mjs, the faster of node:crypto and
 * jose); `sign/2` = half of it (two signatures per flow or refresh grant).
 */

const FORM = 'application/x-www-form-urlencoded';
const M2M = 'Basic ' + Buffer.from('m2m:secret').toString('base64');
const EXCHANGE = 'Basic ' + Buffer.from('exchange:secret').toString('base64');
/** RFC 8693 §2.1: the demo `exchange` client impersonating the user of a code-flow access token (audience api). */
const TOKEN_EXCHANGE_BODY =
  'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&scope=api' +
  '&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&subject_token=';

/**
 * @param {{ getConnections: number, postConnections: number }} c
 * `needsToken`: a user's access token from one code flow is sent as a Bearer header (`true`) or appended to the body (`'body'`);
 * `gatehouseOnly`: skipped against another server (BENCH_SERVER), which has no such grant.
 * @returns {Array<{ name: string, ceiling: 'bare'|'sign'|'sign/2', target: number, load: object, needsToken?: boolean|'body', gatehouseOnly?: boolean }>}
 */
export function scenarios(c) {
  return [
    {
      name: 'discovery',
      ceiling: 'bare',
      target: 0.8,
      load: { kind: 'http', method: 'GET', path: '/.well-known/openid-configuration', connections: c.getConnections },
    },
    {
      name: 'jwks',
      ceiling: 'bare',
      target: 0.8,
      load: { kind: 'http', method: 'GET', path: '/.well-known/openid-configuration/jwks', connections: c.getConnections },
    },
    {
      name: 'client_credentials',
      ceiling: 'sign',
      target: 0.9,
      load: {
        kind: 'http',
        method: 'POST',
        path: '/connect/token',
        headers: { authorization: M2M, 'content-type': FORM },
        body: 'grant_type=client_credentials&scope=api',
        connections: c.postConnections,
      },
    },
    {
      // The same grant for m2m.dpop: a fresh DPoP proof per request (bench/dpop-proof.mjs), verified
      // (ES256), its jti recorded in the store, the token bound (cnf.jkt). The cost of DPoP against Bearer.
      name: 'client_credentials_dpop',
      ceiling: 'sign',
      target: 0.6,
      load: { kind: 'flows', mode: 'client_credentials_dpop', connections: c.postConnections },
    },
    {
      name: 'authorization_code_flow',
      ceiling: 'sign/2',
      target: 0.75,
      load: { kind: 'flows', mode: 'flows', connections: c.postConnections },
    },
    {
      // RFC 9126: the client pushes the request, then the same flow with the request_uri (one more request, one more store write).
      name: 'par_code_flow',
      ceiling: 'sign/2',
      target: 0.65,
      load: { kind: 'flows', mode: 'par_flows', connections: c.postConnections },
    },
    {
      name: 'refresh_token',
      ceiling: 'sign/2',
      target: 0.9,
      load: { kind: 'flows', mode: 'refresh', connections: c.postConnections },
    },
    {
      // One sample: a complete device flow (9 requests, two signatures); no target of its own yet.
      name: 'device_flow',
      ceiling: 'sign/2',
      target: 0.25,
      load: { kind: 'flows', mode: 'device', connections: c.postConnections },
    },
    {
      // Exchanges per second: the same subject token each time (its signature check is cached, its
      // revocation is read every time), one signature for the new token.
      name: 'token_exchange',
      ceiling: 'sign',
      target: 0.8,
      needsToken: 'body',
      gatehouseOnly: true,
      load: {
        kind: 'http',
        method: 'POST',
        path: '/connect/token',
        headers: { authorization: EXCHANGE, 'content-type': FORM },
        body: TOKEN_EXCHANGE_BODY,
        connections: c.postConnections,
      },
    },
    {
      name: 'userinfo',
      ceiling: 'bare',
      target: 0.5,
      needsToken: true,
      load: { kind: 'http', method: 'GET', path: '/connect/userinfo', connections: c.getConnections },
    },
  ];
}
