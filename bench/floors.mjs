/**
 * The floors: for each Gatehouse scenario, the rate of the smallest Node
 * server doing only that scenario's unavoidable work (bench/floor-server.mjs),
 * measured with the same load tool, pinning and connections, as a share of
 * the scenario's ceiling. A target above its floor cannot be met by any Node
 * server on this machine, however little else it does.
 *
 * - client_credentials: one POST with one RS256 signature.
 * - refresh_token: one POST with two signatures (ID token + access token).
 * - authorization_code_flow: the fewest exchanges a flow through a login
 *   form can have: GET the login page, POST the form (303 to the client with
 *   the code), POST the token request with two signatures. The server's CPU
 *   time per flow is the sum of the three, so the flow rate is
 *   1 / (1/page + 1/redirect + 1/sign2).
 * - userinfo: a GET whose Bearer token is found in a map of verified tokens,
 *   one SQLite point read (the durable revocation check) and the JSON answer.
 *
 * The durable floors add the storage a grant that survives a restart needs,
 * as SQLite commits and point reads (floor-server.mjs READS / WRITES):
 * - refresh_token: read the token, consume it, store its successor, read the
 *   revocation marker: 2 reads, 2 commits;
 * - authorization_code_flow: the login page stores the pending request (1
 *   commit); the form POST reads it and stores the code with the session (1
 *   read, 1 commit); the token request reads the code, consumes it and stores
 *   the refresh token (1 read, 2 commits).
 * client_credentials and userinfo need no more than their floors.
 *
 * @example
 * const floors = await measureFloors(['refresh_token'], { measure, startFloor, opts });
 * floors.refresh_token.rps;
 */

const FORM = 'application/x-www-form-urlencoded';
/** A Bearer value as long as Gatehouse's JWT access tokens (about 850 characters). */
const BEARER = `Bearer ${'eyJhbGciOiJSUzI1NiJ9'.padEnd(850, 'x')}`;

const post = (connections) => ({
  kind: 'http',
  method: 'POST',
  path: '/',
  headers: { 'content-type': FORM, authorization: 'Basic aW50ZXJhY3RpdmUuY29uZmlkZW50aWFsOnNlY3JldA==' },
  body: 'grant_type=refresh_token&refresh_token=' + 'r'.repeat(43),
  connections,
});

/** What each floor server measures, keyed by floor name. */
function floorSpecs(opts) {
  return {
    sign1: { env: { FLOOR: 'sign', SIGNS: '1' }, load: post(opts.postConnections) },
    sign2: { env: { FLOOR: 'sign', SIGNS: '2' }, load: post(opts.postConnections) },
    page: { env: { FLOOR: 'page' }, load: { kind: 'http', method: 'GET', path: '/', connections: opts.postConnections } },
    redirect: { env: { FLOOR: 'redirect' }, load: { ...post(opts.postConnections), body: `csrf=${'c'.repeat(43)}&username=alice&password=alice` } },
    userinfo: {
      env: { FLOOR: 'userinfo' },
      load: { kind: 'http', method: 'GET', path: '/', headers: { authorization: BEARER }, connections: opts.getConnections },
    },
    refreshDurable: { env: { FLOOR: 'sign', SIGNS: '2', READS: '2', WRITES: '2' }, load: post(opts.postConnections) },
    pageDurable: { env: { FLOOR: 'page', WRITES: '1' }, load: { kind: 'http', method: 'GET', path: '/', connections: opts.postConnections } },
    redirectDurable: {
      env: { FLOOR: 'redirect', READS: '1', WRITES: '1' },
      load: { ...post(opts.postConnections), body: `csrf=${'c'.repeat(43)}&username=alice&password=alice` },
    },
    tokenDurable: { env: { FLOOR: 'sign', SIGNS: '2', READS: '1', WRITES: '2' }, load: post(opts.postConnections) },
  };
}

/** The floor servers each scenario needs: the floor, and the durable floor where storage adds work. */
const NEEDS = {
  client_credentials: ['sign1'],
  refresh_token: ['sign2'],
  authorization_code_flow: ['page', 'redirect', 'sign2'],
  userinfo: ['userinfo'],
  // One signature (the subject token's verification is cached after its first use).
  token_exchange: ['sign1'],
};
const NEEDS_DURABLE = {
  refresh_token: ['refreshDurable'],
  authorization_code_flow: ['pageDurable', 'redirectDurable', 'tokenDurable'],
};

/** Requests per second of a scenario made of these parts (its CPU time is their sum). */
const combined = (raw, keys) => (keys.length === 1 ? raw[keys[0]].rps : 1 / keys.reduce((s, k) => s + 1 / raw[k].rps, 0));

/**
 * Measures the floors of the named scenarios. `startFloor(env)` starts
 * bench/floor-server.mjs pinned like Gatehouse and resolves with
 * `{ base, pid, stop }`; `measure(label, load, base, pid)` is the harness's
 * warm-up-and-median measurement.
 */
export async function measureFloors(names, { measure, startFloor, opts, log }) {
  const specs = floorSpecs(opts);
  const wanted = [...new Set(names.flatMap((n) => [...(NEEDS[n] ?? []), ...(NEEDS_DURABLE[n] ?? [])]))];
  const raw = {};
  for (const key of wanted) {
    log(`floor ${key}`);
    const server = await startFloor(specs[key].env);
    try {
      raw[key] = await measure(`floor ${key}`, specs[key].load, server.base, server.pid);
    } finally {
      await server.stop();
    }
  }
  const floors = {};
  for (const n of names) {
    const keys = NEEDS[n];
    if (!keys) continue;
    const durable = NEEDS_DURABLE[n];
    const all = [...keys, ...(durable ?? [])];
    floors[n] = {
      rps: combined(raw, keys),
      durableRps: durable ? combined(raw, durable) : undefined,
      parts: Object.fromEntries(all.map((k) => [k, raw[k].rps])),
      noisy: all.some((k) => raw[k].noisy),
    };
  }
  return floors;
}
