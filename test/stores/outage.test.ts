/**
 * The database or Redis goes away while Gatehouse runs: requests answer 503
 * `temporarily_unavailable` (or a readable page), never a 500 or a stack, and
 * service resumes by itself when the server is back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';
import { authorizeWithLogin, exchangeCode, CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { basic, demoConfig, form } from '../helpers/server.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { requirePrograms } from '../helpers/requirements.js';

const noPg = requirePrograms(['postgresql'], 'PostgreSQL lost while running');
const noRedis = requirePrograms(['postgresql', 'redis-server'], 'Redis lost while running');

async function startNode(store: Record<string, unknown>) {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = demoConfig();
  config.server = { issuer: url };
  config.store = store;
  config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
  const gh: Gatehouse = await createGatehouse(config, { logger: pino({ level: 'silent' }), timers: false });
  server.on('request', gh.handler);
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gh.close();
    },
  };
}

const refresh = (url: string, token: string) =>
  fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic('interactive.confidential', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'refresh_token', refresh_token: token }),
  });

/** A 503 with the OAuth error JSON and Retry-After, nothing internal in it. */
async function expectUnavailableJson(res: Response) {
  const text = await res.text();
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('2');
  expect(JSON.parse(text)).toEqual({ error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; try again shortly' });
  expect(text).not.toMatch(/ECONNREFUSED|postgres|redis|\bat \w/i);
}

/** Retries fn until it stops answering 503 (the pool reconnects on the next query). */
async function whenBack<T extends Response>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    const res = await fn();
    if (res.status !== 503 || i > 100) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!!noPg)('PostgreSQL lost while running', () => {
  let pg: PostgresServer;
  let node: Awaited<ReturnType<typeof startNode>>;
  beforeAll(async () => {
    pg = await startPostgres();
    node = await startNode({ type: 'postgres', url: pg.createDatabase('outage') });
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    pg?.destroy();
  });

  it('answers 503 temporarily_unavailable or a readable 503 page, then resumes without restart', async () => {
    const flow = await authorizeWithLogin(node.url);
    const first = await exchangeCode(node.url, flow.code, flow.verifier);
    expect(first.status).toBe(200);
    pg.stop();
    try {
      await expectUnavailableJson(await refresh(node.url, first.body.refresh_token));
      await expectUnavailableJson(
        await fetch(`${node.url}/connect/introspect`, {
          method: 'POST',
          headers: { authorization: basic('api', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
          body: form({ token: first.body.refresh_token }),
        }),
      );
      await expectUnavailableJson(
        await fetch(`${node.url}/connect/revocation`, {
          method: 'POST',
          headers: { authorization: basic('interactive.confidential', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
          body: form({ token: first.body.refresh_token }),
        }),
      );
      // userinfo checks the access token's revocation marker in the store: the same 503 on the bearer channel.
      const userinfo = await fetch(`${node.url}/connect/userinfo`, { headers: { authorization: `Bearer ${first.body.access_token}` } });
      expect(userinfo.status).toBe(503);
      expect(userinfo.headers.get('www-authenticate')).toMatch(/error="temporarily_unavailable"/);
      // The browser side: the authorization request cannot be stored; a readable 503 page, not a redirect or a 500.
      const authz = await fetch(
        `${node.url}/connect/authorize?${new URLSearchParams({ client_id: 'interactive.confidential', redirect_uri: CONFIDENTIAL_REDIRECT, response_type: 'code', scope: 'openid', state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`,
        { redirect: 'manual' },
      );
      expect(authz.status).toBe(503);
      const authzPage = await authz.text();
      expect(authzPage).toMatch(/<html[\s\S]*temporarily_unavailable[\s\S]*temporarily unavailable; try again shortly/);
      expect(authzPage).not.toMatch(/ECONNREFUSED|\bat \w+ \(/);
      // A page that needs the store: the login page of the earlier interaction answers a readable 503 page.
      const page = await fetch(`${node.url}/ui/login?id=${'a'.repeat(43)}`);
      expect(page.status).toBe(503);
      const html = await page.text();
      expect(html).toMatch(/<html/i);
      expect(html).toMatch(/temporarily unavailable/i);
      expect(html).not.toMatch(/ECONNREFUSED|\bat \w+ \(/);
    } finally {
      pg.start();
    }
    const again = await whenBack(() => refresh(node.url, first.body.refresh_token));
    expect(again.status).toBe(200);
    expect(((await again.json()) as { access_token?: string }).access_token).toBeTruthy();
  }, 60_000);
});

describe.skipIf(!!noRedis)('Redis lost while running (beside PostgreSQL)', () => {
  let pg: PostgresServer;
  let redis: RedisServer;
  let node: Awaited<ReturnType<typeof startNode>>;
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    node = await startNode({ type: 'postgres', url: pg.createDatabase('redis_outage'), redisUrl: redis.url });
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    pg?.destroy();
    await redis?.destroy();
  });

  it('codes fail clearly (503), refresh tokens keep working, a code issued before the loss is never accepted after it', async () => {
    const before = await authorizeWithLogin(node.url);
    const tokens = await exchangeCode(node.url, before.code, before.verifier);
    expect(tokens.status).toBe(200);
    const unused = await authorizeWithLogin(node.url);
    await redis.stop();
    try {
      const res = await fetch(`${node.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: basic('interactive.confidential', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type: 'authorization_code', code: unused.code, redirect_uri: CONFIDENTIAL_REDIRECT, code_verifier: unused.verifier }),
      });
      await expectUnavailableJson(res);
      // Refresh tokens live in PostgreSQL: still served.
      expect((await refresh(node.url, tokens.body.refresh_token)).status).toBe(200);
    } finally {
      await redis.start();
    }
    // The restarted Redis is empty: the code issued before is refused, never accepted twice or revived.
    const redeemed = await whenBack(() =>
      fetch(`${node.url}/connect/token`, {
        method: 'POST',
        headers: { authorization: basic('interactive.confidential', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ grant_type: 'authorization_code', code: unused.code, redirect_uri: CONFIDENTIAL_REDIRECT, code_verifier: unused.verifier }),
      }),
    );
    expect(redeemed.status).toBe(400);
    expect(((await redeemed.json()) as { error: string }).error).toBe('invalid_grant');
    // New flows work again without a restart.
    const after = await authorizeWithLogin(node.url);
    expect((await exchangeCode(node.url, after.code, after.verifier)).status).toBe(200);
  }, 60_000);
});
