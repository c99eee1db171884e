/**
 * Back-channel logout survives the death of the node that accepted the
 * logout: two real Gatehouse processes share one SQLite file; node 1 accepts
 * the logout while the relying party's back-channel endpoint is down, fails
 * its first attempt and is SIGKILLed during the pause before its retry; the
 * relying party comes up, and node 2's outbox drain makes the delivery.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CookieJar, demoConfig } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';
import { startGatehouseProcess, type GatehouseProcess } from '../helpers/gatehouse-process.js';
import { rpClient, signInClient } from './logout-helpers.js';

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('back-channel logout outbox across nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-outbox-'));
  const nodes: GatehouseProcess[] = [];
  let rpServer: http.Server | undefined;
  afterAll(async () => {
    for (const n of nodes) await n.kill('SIGKILL');
    rpServer?.closeAllConnections();
    await new Promise((r) => (rpServer ? rpServer.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('node 1 is killed before delivering; node 2 delivers to the relying party', async () => {
    const [port1, port2, rpPort] = [await freePort(), await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${port1}`;
    const rp = `http://127.0.0.1:${rpPort}`;
    const dbPath = join(dir, 'shared.db');
    const config = demoConfig();
    config.server = { issuer, dataDir: dir, logLevel: 'warn' };
    config.store = { type: 'sqlite', sqlitePath: dbPath };
    config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    config.clients = [...(config.clients ?? []), rpClient(rp, 'x', { frontChannelLogoutUri: undefined })];
    config.authentication = { backChannelLogoutRetries: 10, backChannelLogoutTimeout: 2, backChannelLogoutOutboxInterval: 1 };
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, JSON.stringify(config));
    // Node 1 first (it migrates and creates the keys), then node 2 on the same file.
    nodes.push(await startGatehouseProcess({ config: file, port: port1 }));
    nodes.push(await startGatehouseProcess({ config: file, port: port2 }));
    const [node1, node2] = nodes as [GatehouseProcess, GatehouseProcess];

    const jar = new CookieJar();
    const t = await signInClient(issuer, rp, jar, 'x');
    const sid = claims(t.idToken).sid;
    // The relying party's back-channel endpoint is down: nothing listens on rpPort yet.
    const res = await jar.fetch(`${issuer}/connect/endsession?${new URLSearchParams({ id_token_hint: t.idToken, post_logout_redirect_uri: `${rp}/bye/x` })}`);
    expect(res.status).toBe(303);

    // The delivery is in the shared store, and node 1 has failed at least once.
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const row = await until('a failed first attempt', () => {
        const r = db.prepare('SELECT kind, attempts, payload FROM outbox').get() as { kind: string; attempts: number; payload: string } | undefined;
        return r && r.attempts >= 1 ? r : undefined;
      });
      expect(row.kind).toBe('back_channel_logout');
      expect(JSON.parse(row.payload)).toEqual({ clientId: 'app.x', subjectId: '1', sid });
      await node1.kill('SIGKILL');
      expect(node1.child.signalCode).toBe('SIGKILL');

      // The relying party comes up only now: whatever it receives, node 2 sent.
      const received: { token: string; at: number }[] = [];
      rpServer = http.createServer((req, res2) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.url === '/bc/x' && req.method === 'POST')
            received.push({ token: new URLSearchParams(Buffer.concat(chunks).toString()).get('logout_token') ?? '', at: Date.now() });
          res2.writeHead(200).end();
        });
      });
      await new Promise<void>((r) => rpServer!.listen(rpPort, '127.0.0.1', r));

      const delivered = await until('the delivery by node 2', () => received[0]);
      const token = claims(delivered.token);
      expect(token).toMatchObject({ iss: issuer, aud: 'app.x', sub: '1', sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } });
      expect(node2.child.exitCode).toBeNull();
      // Delivered once, and the entry left the outbox.
      await until('an empty outbox', () => ((db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n === 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 1500)); // another drain pass: nothing more is sent
      expect(received).toHaveLength(1);
    } finally {
      db.close();
    }
  }, 120_000);
});
