/**
 * Two provider nodes sharing one SQLite store: keys are created once and
 * shared, and a flow started on one node completes on the other.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';
import { demoConfig, basic } from '../helpers/server.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';

describe('two nodes on one SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-nodes-'));
  const nodes: { gh: Gatehouse; server: http.Server; url: string }[] = [];
  let issuer = '';

  beforeAll(async () => {
    // One issuer for both nodes (as behind a load balancer): node A's port.
    const servers = [http.createServer(), http.createServer()];
    for (const s of servers) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const urls = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    issuer = urls[0]!;
    const kek = randomBytes(32).toString('base64');
    const config = demoConfig();
    config.server = { issuer, dataDir: dir };
    config.store = { type: 'sqlite', sqlitePath: join(dir, 'shared.db') };
    config.keys = { keyEncryptionKey: kek };
    // Both nodes start at the same moment: exactly one key must be created.
    const ghs = await Promise.all([0, 1].map(() => createGatehouse(config, { logger: pino({ level: 'silent' }), timers: false })));
    ghs.forEach((gh, i) => {
      servers[i].on('request', gh.handler);
      nodes.push({ gh, server: servers[i], url: urls[i] });
    });
  });
  afterAll(async () => {
    for (const n of nodes) {
      n.server.closeAllConnections();
      await new Promise((r) => n.server.close(r));
      await n.gh.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('created one signing key, published by both nodes', async () => {
    const sets = await Promise.all(nodes.map(async (n) => (await (await fetch(`${n.url}/.well-known/openid-configuration/jwks`)).json()).keys));
    expect(sets[0]).toHaveLength(1);
    expect(sets[1]).toEqual(sets[0]);
  });

  it('a code issued on node A is redeemed on node B; node A then introspects the token as active', async () => {
    const [a, b] = nodes;
    const flow = await authorizeWithLogin(a.url);
    const tok = await exchangeCode(b.url, flow.code, flow.verifier);
    expect(tok.status).toBe(200);
    const res = await fetch(`${a.url}/connect/introspect`, {
      method: 'POST',
      headers: { authorization: basic('api', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tok.body.access_token }),
    });
    expect(await res.json()).toMatchObject({ active: true, sub: '1', client_id: 'interactive.confidential' });
    // A second redemption on node A is refused: single use holds across nodes.
    expect((await exchangeCode(a.url, flow.code, flow.verifier)).body.error).toBe('invalid_grant');
  });
});
