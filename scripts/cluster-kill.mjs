/**
 * A three-node cluster loses a node under load (docs/operations.md#losing-a-node).
 *
 * Starts a real PostgreSQL and Redis (test/helpers), three `gatehouse start`
 * processes (dist/) on them, and a round-robin HTTP proxy written here as the
 * issuer. Drives continuous sign-in flows (authorize, login page, login POST,
 * code exchange) and refresh-token rotations through the proxy, SIGKILLs one
 * node mid-load, keeps going, and reports:
 *   - flows failed, and whether each had a request in flight on the killed node
 *     (only those may fail);
 *   - refresh tokens lost: a rotation chain whose current token stopped
 *     working for any reason other than a request in flight on the killed node
 *     (must be 0), checked at the end by redeeming every chain's token, using
 *     its successor, and seeing a replay of the token refused;
 *   - how long until the survivors carry the full load.
 *
 * The proxy ejects a node at its first refused connection and re-sends that
 * request (it never reached a node) to the next one, as a load balancer does;
 * a request already sent when the node died fails with 502.
 *
 * Run: npm run build && node_modules/.bin/vite-node scripts/cluster-kill.mjs
 * Options (environment): SECONDS_BEFORE=10 SECONDS_AFTER=15 FLOW_WORKERS=4 REFRESH_WORKERS=4
 * Exit status 1 when a flow not in flight on the killed node failed or a refresh token was lost.
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, postgresUnavailable } from '../test/helpers/postgres-server.ts';
import { startRedis, redisUnavailable } from '../test/helpers/redis-server.ts';
import { buildDist, startGatehouseProcess } from '../test/helpers/gatehouse-process.ts';
import { freePort } from '../test/helpers/ports.ts';

const env = (name, def) => Number(process.env[name] ?? def);
const BEFORE_MS = env('SECONDS_BEFORE', 10) * 1000;
const AFTER_MS = env('SECONDS_AFTER', 15) * 1000;
const FLOW_WORKERS = env('FLOW_WORKERS', 4);
const REFRESH_WORKERS = env('REFRESH_WORKERS', 4);
const BUCKET_MS = 500;
const REDIRECT = 'http://localhost:3000/callback';
const BASIC = `Basic ${Buffer.from('interactive.confidential:secret').toString('base64')}`;

const missing = postgresUnavailable() ?? redisUnavailable();
if (missing) {
  console.error(`cannot run: ${missing}`);
  process.exit(2);
}

// ---------------------------------------------------------------- the proxy
/** Round-robin over the live nodes; every request tagged x-op is tracked per node while in flight. */
function startProxy(nodes) {
  const live = new Set(nodes.map((_, i) => i));
  const inFlight = new Map(); // request seq -> { node, op }
  /** op -> node, for requests a node accepted and then dropped without an answer (it died) */
  const diedOn = new Map();
  const ejectedAt = new Map();
  let next = 0;
  let seq = 0;
  const pick = () => {
    const order = [...live];
    if (order.length === 0) return undefined;
    return order[next++ % order.length];
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const op = req.headers['x-op'];
      const send = (tries) => {
        const node = pick();
        if (node === undefined || tries > nodes.length) return void res.writeHead(503).end();
        const id = seq++;
        let connected = false;
        const up = http.request(new URL(req.url, nodes[node].url), { method: req.method, headers: req.headers, agent: false });
        up.on('socket', (s) =>
          s.on('connect', () => {
            connected = true;
            inFlight.set(id, { node, op });
          }),
        );
        up.on('response', (upRes) => {
          res.writeHead(upRes.statusCode, upRes.headers);
          upRes.pipe(res);
          upRes.on('end', () => inFlight.delete(id));
        });
        up.on('error', () => {
          inFlight.delete(id);
          if (!connected) {
            // Never reached the node: take it out of rotation and send the request elsewhere.
            if (live.delete(node)) ejectedAt.set(node, Date.now());
            return send(tries + 1);
          }
          if (op) diedOn.set(op, node);
          if (!res.headersSent) res.writeHead(502).end();
          else res.destroy();
        });
        up.end(body);
      };
      send(0);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}`, inFlight, diedOn, ejectedAt, live })),
  );
}

// ---------------------------------------------------------------- the clients
class Jar {
  cookies = new Map();
  async fetch(url, init = {}, op) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (op) headers.set('x-op', op);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const field = (html, name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&');
const loginAction = (html) => [...html.matchAll(/action="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.includes('/ui/login?'));

/** One sign-in flow through the proxy; returns the refresh token. `op` tags its requests. */
async function signIn(base, op) {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid profile api offline_access',
    state: 's',
    nonce: 'n',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let res = await jar.fetch(`${base}/connect/authorize?${q}`, {}, op);
  if (res.status !== 303) throw new Error(`authorize: HTTP ${res.status}`);
  const page = await (await jar.fetch(res.headers.get('location'), {}, op)).text();
  const action = loginAction(page);
  if (!action) throw new Error('no login form');
  res = await jar.fetch(
    new URL(action, base).toString(),
    { method: 'POST', headers: FORM, body: form({ csrf: field(page, 'csrf'), username: 'alice', password: 'alice' }) },
    op,
  );
  if (res.status !== 303) throw new Error(`login: HTTP ${res.status}`);
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  if (!code) throw new Error(`no code: ${res.headers.get('location')}`);
  const tok = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: BASIC, 'x-op': op },
    body: form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  const body = await tok.json();
  if (tok.status !== 200) throw new Error(`token: HTTP ${tok.status} ${body.error}`);
  return body.refresh_token;
}

async function refresh(base, token, op) {
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: BASIC, 'x-op': op },
    body: form({ grant_type: 'refresh_token', refresh_token: token }),
  });
  const body = await res.json().catch(() => ({}));
  return { status: res.status, body };
}

// ---------------------------------------------------------------- the run
const dir = mkdtempSync(join(tmpdir(), 'gh-cluster-kill-'));
const [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
const procs = [];
let exitCode = 0;
try {
  buildDist();
  const ports = await Promise.all([freePort(), freePort(), freePort()]);
  const nodes = ports.map((port) => ({ url: `http://127.0.0.1:${port}`, port }));
  const proxy = await startProxy(nodes);
  const config = JSON.parse(readFileSync(new URL('../config/demo.json', import.meta.url), 'utf8'));
  delete config.$schema;
  config.server = { issuer: proxy.url, dataDir: dir, logLevel: 'warn' };
  config.store = { type: 'postgres', url: pg.createDatabase('cluster_kill'), redisUrl: redis.url };
  config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
  // The load comes from one address: per-IP limits would measure themselves, not the failover.
  config.rateLimits = { enabled: false };
  // A lost answer (node killed after storing the rotation) may be retried for 10 s (docs/storage.md).
  for (const c of config.clients) if (c.clientId === 'interactive.confidential') c.refreshTokenRetryWindow = 10;
  const file = join(dir, 'gatehouse.json');
  writeFileSync(file, JSON.stringify(config));
  for (const n of nodes) procs.push(await startGatehouseProcess({ config: file, port: n.port, dist: true }));
  console.log(`3 nodes up on ${ports.join(', ')}; proxy ${proxy.url}`);

  const t0 = Date.now();
  let stop = false;
  let killedAt = 0;
  const victim = 1;
  /** ops completed and failed per bucket of BUCKET_MS since t0 */
  const done = [];
  const failedPerBucket = [];
  const bucket = () => Math.floor((Date.now() - t0) / BUCKET_MS);
  const count = (arr) => (arr[bucket()] = (arr[bucket()] ?? 0) + 1);
  const flows = { ok: 0, failed: [] };
  /** refresh chains: the token each holds now */
  const chains = [];
  const refreshes = { ok: 0, failed: [] };
  let opSeq = 0;
  let inFlightAtKill = new Set();

  const flowWorker = async () => {
    while (!stop) {
      const op = `flow-${opSeq++}`;
      try {
        const rt = await signIn(proxy.url, op);
        chains.push({ token: rt, busy: false, id: chains.length, lostTo: undefined });
        flows.ok++;
        count(done);
      } catch (e) {
        flows.failed.push({ op, at: Date.now(), reason: String(e.message ?? e) });
        count(failedPerBucket);
      }
    }
  };
  const refreshWorker = async () => {
    while (!stop) {
      const chain = chains.find((c) => !c.busy && !c.lostTo && Math.random() < 0.5) ?? chains.find((c) => !c.busy && !c.lostTo);
      if (!chain) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      chain.busy = true;
      const op = `refresh-${opSeq++}`;
      try {
        const r = await refresh(proxy.url, chain.token, op);
        if (r.status === 200) {
          chain.token = r.body.refresh_token;
          refreshes.ok++;
          count(done);
        } else {
          refreshes.failed.push({ op, chain: chain.id, at: Date.now(), reason: `HTTP ${r.status} ${r.body.error ?? ''}` });
          count(failedPerBucket);
          // 502: the request died with the node. Try the same token again: it still works unless the dead node consumed it.
          if (r.status === 502) {
            const again = await refresh(proxy.url, chain.token, `${op}-retry`);
            if (again.status === 200) chain.token = again.body.refresh_token;
            else chain.lostTo = { op, reason: `retry: HTTP ${again.status} ${again.body.error ?? ''}` };
          } else chain.lostTo = { op, reason: `HTTP ${r.status} ${r.body.error ?? ''}` };
        }
      } catch (e) {
        refreshes.failed.push({ op, chain: chain.id, at: Date.now(), reason: String(e.message ?? e) });
      } finally {
        chain.busy = false;
      }
    }
  };

  const workers = [...Array.from({ length: FLOW_WORKERS }, flowWorker), ...Array.from({ length: REFRESH_WORKERS }, refreshWorker)];
  await new Promise((r) => setTimeout(r, BEFORE_MS));
  inFlightAtKill = new Set([...proxy.inFlight.values()].filter((x) => x.node === victim).map((x) => x.op));
  killedAt = Date.now();
  procs[victim].child.kill('SIGKILL');
  console.log(`SIGKILL node ${victim + 1} at t=${((killedAt - t0) / 1000).toFixed(1)} s; requests in flight on it: ${inFlightAtKill.size}`);
  await new Promise((r) => setTimeout(r, AFTER_MS));
  stop = true;
  await Promise.all(workers);

  /** A request of the op was accepted by the killed node: in flight at the kill, or accepted while it was dying. */
  const onKilled = (op) => inFlightAtKill.has(op) || proxy.diedOn.get(op) === victim;

  // Every chain's token works exactly once: one refresh succeeds; once its successor was used,
  // a replay of that same token is refused (within the client's refreshTokenRetryWindow a replay
  // while the successor is still unused counts as a retry of a lost answer and would succeed).
  let verified = 0;
  const lost = [];
  for (const c of chains) {
    if (c.lostTo) {
      lost.push({ chain: c.id, ...c.lostTo, inFlightOnKilled: onKilled(c.lostTo.op) });
      continue;
    }
    const first = await refresh(proxy.url, c.token, 'verify');
    const next = first.status === 200 ? await refresh(proxy.url, first.body.refresh_token, 'verify-next') : first;
    const replay = await refresh(proxy.url, c.token, 'verify-replay');
    if (first.status === 200 && next.status === 200 && replay.status === 400) verified++;
    else lost.push({ chain: c.id, inFlightOnKilled: false, reason: `final check: ${first.status}, successor ${next.status}, then replay ${replay.status}` });
  }

  // Full load: the start of the first window of WINDOW buckets that starts after the kill and
  // after the last failed op, and completes at least 90% of the ops such a
  // window completed on average before the kill (3 nodes).
  const WINDOW = 4;
  const killBucket = Math.floor((killedAt - t0) / BUCKET_MS);
  const warm = Math.max(2, Math.floor(killBucket / 4));
  const before = done.slice(warm, killBucket).map((x) => x ?? 0);
  const mean = before.reduce((a, b) => a + b, 0) / Math.max(1, before.length);
  const lastBucket = Math.floor((killedAt + AFTER_MS - t0) / BUCKET_MS) - 1;
  const windowOk = (b) => {
    let sum = 0;
    for (let k = b; k < b + WINDOW; k++) sum += done[k] ?? 0;
    return sum >= 0.9 * mean * WINDOW;
  };
  const lastFailure = Math.max(-1, ...Object.keys(failedPerBucket).map(Number));
  let recovered;
  for (let b = Math.max(killBucket + 1, lastFailure + 1); b + WINDOW - 1 <= lastBucket; b++) {
    if (windowOk(b)) {
      recovered = b;
      break;
    }
  }
  const timeline = [];
  for (let b = 0; b <= lastBucket; b += 2)
    timeline.push(`${(done[b] ?? 0) + (done[b + 1] ?? 0)}${(failedPerBucket[b] ?? 0) + (failedPerBucket[b + 1] ?? 0) ? '!' : ''}`);
  const after = done.slice(killBucket + 1, lastBucket + 1).map((x) => x ?? 0);
  const meanAfter = after.reduce((a, b) => a + b, 0) / Math.max(1, after.length);
  const illegalFlows = flows.failed.filter((f) => !onKilled(f.op));
  const illegalLost = lost.filter((l) => !l.inFlightOnKilled);
  const ejected = proxy.ejectedAt.get(victim);

  console.log('');
  console.log(
    `flows: ${flows.ok} completed, ${flows.failed.length} failed (${flows.failed.length - illegalFlows.length} had a request accepted by the killed node, in flight at the kill or while it died; ${illegalFlows.length} did not)`,
  );
  for (const f of flows.failed)
    console.log(`  failed ${f.op} at t=${((f.at - t0) / 1000).toFixed(2)} s: ${f.reason}${onKilled(f.op) ? ' (on the killed node)' : ''}`);
  console.log(`refresh grants: ${refreshes.ok} completed, ${refreshes.failed.length} failed`);
  for (const f of refreshes.failed)
    console.log(`  failed ${f.op} (chain ${f.chain}) at t=${((f.at - t0) / 1000).toFixed(2)} s: ${f.reason}${onKilled(f.op) ? ' (on the killed node)' : ''}`);
  console.log(
    `refresh tokens: ${chains.length} chains; ${verified} verified to work exactly once at the end; lost: ${illegalLost.length} (plus ${lost.length - illegalLost.length} consumed by the killed node while in flight)`,
  );
  for (const l of lost) console.log(`  chain ${l.chain}: ${l.reason}${l.inFlightOnKilled ? ' (in flight on the killed node)' : ''}`);
  console.log(
    `throughput: ${(mean * (1000 / BUCKET_MS)).toFixed(1)} ops/s before the kill (3 nodes), ${(meanAfter * (1000 / BUCKET_MS)).toFixed(1)} ops/s after (2 nodes)`,
  );
  console.log(`node ejected by the proxy ${ejected ? `${ejected - killedAt} ms` : 'never (no request refused)'} after the kill`);
  const recovery =
    recovered === undefined
      ? 'not within the run'
      : `${Math.max(0, recovered * BUCKET_MS - (killedAt - t0))} ms after the kill (the start of the first ${(WINDOW * BUCKET_MS) / 1000} s window, after the kill and the last failure, that completed >= 90% of the ops of a window before the kill)`;
  console.log(`survivors carry the full load ${recovery}`);
  console.log(`ops per second (! = a failure): ${timeline.join(' ')}`);
  if (illegalFlows.length || illegalLost.length) exitCode = 1;
  proxy.server.closeAllConnections();
  proxy.server.close();
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  for (const p of procs) await p.kill('SIGKILL');
  pg.destroy();
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
