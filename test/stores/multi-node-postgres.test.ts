/**
 * Three Gatehouse processes on one PostgreSQL + Redis behind a round-robin
 * proxy written here: flows cross nodes, single use holds across nodes, a
 * revocation at one node is seen by the others at once, and a key rotation
 * reaches every node's JWKS (Redis pub/sub).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, demoConfig, form } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { runGatehouse, startGatehouseProcess, type GatehouseProcess } from '../helpers/gatehouse-process.js';

const reason = requirePrograms(['postgresql', 'redis-server']);

interface Hop {
  node: number;
  method: string;
  path: string;
  status: number;
  location?: string;
}

/** A round-robin HTTP proxy: request i goes to node i mod n; every hop is logged. */
async function startProxy(targets: () => string[]) {
  const hops: Hop[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const node = next++ % targets().length;
    const target = new URL(req.url!, targets()[node]);
    const up = http.request(target, { method: req.method, headers: req.headers }, (upRes) => {
      hops.push({ node, method: req.method!, path: req.url!, status: upRes.statusCode!, location: upRes.headers.location });
      res.writeHead(upRes.statusCode!, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, hops, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const post = (url: string, path: string, body: Record<string, string>, auth = basic('interactive.confidential', 'secret')) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: form(body) });
/** Introspection by the client that holds the token (a refresh token is only active for its own client). */
const introspect = async (url: string, token: string) => (await (await post(url, '/connect/introspect', { token })).json()) as { active: boolean };
const kids = async (url: string) =>
  ((await (await fetch(`${url}/.well-known/openid-configuration/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();

describe.skipIf(!!reason)('three nodes on PostgreSQL + Redis behind a round-robin proxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-multi-'));
  const configFile = join(dir, 'gatehouse.json');
  let pg: PostgresServer;
  let redis: RedisServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let nodes: GatehouseProcess[] = [];

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    proxy = await startProxy(() => nodes.map((n) => n.url));
    const config = demoConfig();
    config.server = { issuer: proxy.url, dataDir: dir, logLevel: 'warn' };
    // Strict reuse detection: a later use of a rotated-out token here is reuse, not a retry.
    for (const c of config.clients ?? []) c.refreshTokenRetryWindow = 0;
    // Polling off: configuration changes can only arrive over Redis pub/sub.
    config.store = { type: 'postgres', url: pg.createDatabase('multi'), redisUrl: redis.url, configPollInterval: 0 };
    config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    writeFileSync(configFile, JSON.stringify(config));
    // All three start at once: migrations and the first key are made exactly once.
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    nodes = await Promise.all(ports.map((port) => startGatehouseProcess({ config: configFile, port })));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.kill()));
    proxy?.server.close();
    pg?.destroy();
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all nodes publish the one signing key created at start', async () => {
    const sets = await Promise.all(nodes.map((n) => kids(n.url)));
    expect(sets[0]).toHaveLength(1);
    expect(sets[1]).toEqual(sets[0]);
    expect(sets[2]).toEqual(sets[0]);
  });

  it('code issued via node A is redeemed via B, the refresh token rotated via C; revocation at A is seen at B and C at once', async () => {
    const flow = await authorizeWithLogin(proxy.url);
    const issuing = proxy.hops.findLast((h) => h.location?.includes('code='))!;
    const a = issuing.node;
    const [b, c] = [(a + 1) % 3, (a + 2) % 3];
    expect(new URL(issuing.location!).searchParams.get('code')).toBe(flow.code);

    const tokens = await exchangeCode(nodes[b].url, flow.code, flow.verifier);
    expect(tokens.status).toBe(200);
    const rotated = await post(nodes[c].url, '/connect/token', { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(rotated.status).toBe(200);
    const { refresh_token: rt2 } = (await rotated.json()) as { refresh_token: string };

    expect((await introspect(nodes[b].url, rt2)).active).toBe(true);
    expect((await post(nodes[a].url, '/connect/revocation', { token: rt2, token_type_hint: 'refresh_token' })).status).toBe(200);
    // No waiting: the next request at B and at C already sees the revocation.
    const [atB, atC] = await Promise.all([introspect(nodes[b].url, rt2), introspect(nodes[c].url, rt2)]);
    expect(atB.active).toBe(false);
    expect(atC.active).toBe(false);
    const refused = await post(nodes[c].url, '/connect/token', { grant_type: 'refresh_token', refresh_token: rt2 });
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
  });

  /**
   * Two redemptions at once on two nodes: the store hands the code or token to
   * exactly one (atomic consume). A request that read it at the same moment and
   * lost the consume is refused without revoking; one that read it already
   * spent is a replay (RFC 6749 §4.1.2) and revokes the winner's tokens. Either
   * way never two successes, and the next use of the spent value revokes the
   * family (the deterministic single-node version is in test/grants).
   */
  it('one code or refresh token redeemed on two nodes at the same moment: never accepted twice; a later use revokes the family', async () => {
    for (let round = 0; round < 3; round++) {
      const flow = await authorizeWithLogin(proxy.url);
      const codeResults = await Promise.all([1, 2].map((i) => exchangeCode(nodes[i].url, flow.code, flow.verifier)));
      expect(codeResults.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      for (const r of codeResults.filter((x) => x.status !== 200)) expect(r.body.error).toBe('invalid_grant');
      expect((await exchangeCode(nodes[0].url, flow.code, flow.verifier)).body.error).toBe('invalid_grant');
      for (const r of codeResults.filter((x) => x.status === 200)) {
        // The third use was a replay: the winner's refresh token belongs to the revoked family.
        expect((await introspect(nodes[0].url, r.body.refresh_token)).active).toBe(false);
      }

      const fresh = await authorizeWithLogin(proxy.url);
      const tokens = await exchangeCode(nodes[0].url, fresh.code, fresh.verifier);
      expect(tokens.status).toBe(200);
      const refreshOn = async (i: number) => {
        const res = await post(nodes[i].url, '/connect/token', { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      const refreshed = await Promise.all([1, 2].map(refreshOn));
      expect(refreshed.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      for (const r of refreshed.filter((x) => x.status !== 200)) expect(r.body.error).toBe('invalid_grant');
      expect((await refreshOn(0)).body.error).toBe('invalid_grant');
      for (const r of refreshed.filter((x) => x.status === 200)) expect((await introspect(nodes[0].url, r.body.refresh_token)).active).toBe(false);
    }
  });

  it('sequential redemptions across nodes: the first succeeds, the second is refused', async () => {
    const flow = await authorizeWithLogin(proxy.url);
    expect((await exchangeCode(nodes[2].url, flow.code, flow.verifier)).status).toBe(200);
    const second = await exchangeCode(nodes[1].url, flow.code, flow.verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
  });

  it('concurrent full flows through the proxy all complete', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const flow = await authorizeWithLogin(proxy.url);
        return (await exchangeCode(proxy.url, flow.code, flow.verifier)).status;
      }),
    );
    expect(results).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(proxy.hops.map((h) => h.node))).toEqual(new Set([0, 1, 2]));
  });

  it("a key rotation reaches every node's JWKS promptly (Redis pub/sub; keys.refreshInterval is 300 s)", async () => {
    const before = await kids(nodes[0].url);
    const rotate = runGatehouse(['keys', 'rotate', '--config', configFile]);
    expect(rotate.status, rotate.stderr).toBe(0);
    const created = rotate.stdout.match(/created \S+ key (\S+):/)![1];
    expect(before).not.toContain(created);
    const deadline = Date.now() + 5000;
    let sets: string[][];
    do {
      sets = await Promise.all(nodes.map((n) => kids(n.url)));
      if (sets.every((s) => s.includes(created))) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    for (const s of sets) expect(s).toEqual([...before, created].sort());
  }, 60_000);

  it('gatehouse import: a client added to the database is accepted by every node at once (Redis pub/sub, polling off)', async () => {
    const cc = (url: string) => post(url, '/connect/token', { grant_type: 'client_credentials', scope: 'api' }, basic('imported.m2m', 'secret'));
    for (const n of nodes) expect((await cc(n.url)).status).toBe(401);
    const withClient = demoConfig();
    withClient.clients = [
      ...(withClient.clients ?? []),
      {
        clientId: 'imported.m2m',
        clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api'],
      },
    ];
    const file = join(dir, 'import.json');
    writeFileSync(file, JSON.stringify(withClient));
    const imported = runGatehouse(['import', file, '--config', configFile]);
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`^imported ${withClient.clients.length} client\\(s\\)`));
    const deadline = Date.now() + 3000;
    let statuses: number[];
    do {
      statuses = await Promise.all(nodes.map(async (n) => (await cc(n.url)).status));
      if (statuses.every((x) => x === 200)) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    expect(statuses).toEqual([200, 200, 200]);
  }, 60_000);
});
