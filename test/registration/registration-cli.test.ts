/**
 * `gatehouse registration token create` mints an initial access token into
 * the configured store (SQLite here); a provider on the same store accepts it
 * at the registration endpoint, and the store keeps only its hash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ROOT, cliCommand } from '../helpers/cli-server.js';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';

describe('gatehouse registration token create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-registration-cli-'));
  const configFile = join(dir, 'gatehouse.json');
  const config = {
    server: { dataDir: dir },
    store: { type: 'sqlite', sqlitePath: join(dir, 'gatehouse.db') },
    keys: { keyEncryptionKey: Buffer.alloc(32, 3).toString('base64') },
    identityResources: ['openid'],
    registration: { enabled: true, initialAccessToken: 'required', allowedScopes: ['openid'] },
  };
  const run = (...args: string[]) => {
    const { cmd, args: pre } = cliCommand();
    return spawnSync(cmd, [...pre, 'registration', ...args, '--config', configFile], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  };
  let server: http.Server;
  let gh: Gatehouse;
  let url: string;

  beforeAll(async () => {
    writeFileSync(configFile, JSON.stringify(config));
    server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await gh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a token that registers a client; the store holds only its hash', async () => {
    const made = run('token', 'create', '--lifetime', '1h', '--single-use');
    expect(made.status, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    gh = await createGatehouse({ ...config, server: { ...config.server, issuer: url } } as never, { logger: pino({ level: 'silent' }), timers: false });
    server.on('request', gh.handler);
    const rows = await gh.context.backend.records.findMany('initial_access_token');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    const register = () =>
      fetch(`${url}/connect/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ redirect_uris: ['https://app.example/cb'], scope: 'openid' }),
      });
    expect((await register()).status).toBe(201);
    // --single-use: spent by its first registration.
    expect((await register()).status).toBe(401);
  });

  it('refuses bad arguments with the usage', () => {
    for (const args of [['token'], ['token', 'create', '--lifetime', 'soon'], ['token', 'create', '--bogus']]) {
      const r = run(...args);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('usage: gatehouse registration token create');
    }
  });
});

describe('security lint of registration settings', () => {
  it('warns when anonymous registration has no redirect URI host limit, not in the demo', async () => {
    const { parseConfig } = await import('../../src/config/load.js');
    const open = parseConfig({ registration: { enabled: true, initialAccessToken: 'optional' } });
    expect(open.warnings.map((w) => w.path)).toContain('registration.anonymousRedirectUriHosts');
    const limited = parseConfig({ registration: { enabled: true, initialAccessToken: 'optional', anonymousRedirectUriHosts: ['localhost'] } });
    expect(limited.warnings.map((w) => w.path)).not.toContain('registration.anonymousRedirectUriHosts');
  });
});
