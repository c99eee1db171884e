/**
 * The stateful load generator: complete authorization-code + PKCE flows
 * through the built-in login form, refresh-token rotation chains, and a
 * one-shot token fetch (the Bearer token of the userinfo scenario).
 *
 * Modes (`mode` in the JSON argument):
 * - `flows`: N virtual users, each looping GET authorize -> GET login page ->
 *   POST login form (303 to the client with the code) -> POST token (code +
 *   code_verifier), with a fresh cookie jar per flow. One sample = one complete flow.
 * - `par_flows`: as `flows` with interactive.confidential.par, which first POSTs the request to
 *   /connect/par (RFC 9126) and sends the browser with the request_uri. One sample = one complete flow.
 * - `refresh`: each virtual user first runs one flow (not timed), then loops
 *   refresh_token grants on its own one-time-use chain. One sample = one grant.
 * - `device`: N virtual users, each looping complete device flows (RFC 8628:
 *   device authorization -> verification page, login, consent -> token). One sample = one complete flow.
 * - `token`: runs one flow and prints its access token.
 * - `client_credentials_dpop`: client_credentials for `m2m.dpop` (DPoP required), each
 *   virtual user with its own ES256 key and a fresh proof per request. One sample = one grant.
 * `users` (default ["alice"]) lists the demo users logged in, in turn.
 *
 * @example
 * taskset -c 1 node bench/flows.mjs '{"base":"http://127.0.0.1:5000","mode":"flows","connections":32,"duration":5}'
 */
import { emitResult } from './stats.mjs';
import { driverSetup, FlowError, timed as runTimed } from './flow-loop.mjs';
import { gatehouseSteps } from './gatehouse-steps.mjs';
import { dpopSigner } from './dpop-proof.mjs';
import { basicAuth } from './http-client.mjs';

const { spec, base, loop, client } = driverSetup(process.argv[2], 'http://127.0.0.1:5000');
const { flow, refresh: refreshGrant, deviceFlow } = gatehouseSteps(client, base);

/** One refresh grant; resolves with the next refresh token of the chain. */
const refresh = async (refreshToken) => (await refreshGrant(refreshToken)).refresh_token;

/** Runs `step(state)` in N loops for the duration; records each step's latency (bench/flow-loop.mjs). */
const timed = (setup, step) => runTimed(loop, setup, step);

// Virtual user i logs in as users[i % users.length] (demo users; password = username).
const users = spec.users ?? ['alice'];
let next = 0;
const user = () => users[next++ % users.length];
let result;
if (spec.mode === 'flows') {
  result = await timed(
    async () => undefined,
    async () => void (await flow(user())),
  );
  result.requestsPerFlow = 4;
} else if (spec.mode === 'device') {
  result = await timed(
    async () => undefined,
    async () => void (await deviceFlow(user())),
  );
  result.requestsPerFlow = 9;
} else if (spec.mode === 'par_flows') {
  result = await timed(
    async () => undefined,
    async () => void (await flow(user(), { par: true })),
  );
  result.requestsPerFlow = 5;
} else if (spec.mode === 'refresh') {
  result = await timed(
    async () => (await flow(user())).refresh_token,
    (rt) => refresh(rt),
  );
} else if (spec.mode === 'client_credentials_dpop') {
  const body = 'grant_type=client_credentials&scope=api';
  const headers = {
    authorization: basicAuth('m2m.dpop', 'secret'),
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(body.length),
  };
  const htu = `${base}/connect/token`;
  result = await timed(
    async () => dpopSigner(),
    async (signer) => {
      const res = await client.request('POST', '/connect/token', { ...headers, dpop: signer.proof('POST', htu) }, body);
      if (res.status !== 200 || !res.body.includes('"token_type":"DPoP"')) throw new FlowError(`token: HTTP ${res.status} ${String(res.body).slice(0, 200)}`);
      return signer;
    },
  );
} else if (spec.mode === 'token') {
  result = { accessToken: (await flow(user())).access_token };
} else {
  throw new Error(`unknown mode ${spec.mode}`);
}
client.close();
emitResult({ tool: 'node', mode: spec.mode, ...result });
