/**
 * Configuration data in the database: documents from a config file, merged
 * over the file's entries, imported with `importConfigFile`, and picked up by
 * running nodes without restart (here by polling, two nodes on one SQLite file;
 * the Redis notification path is in test/stores/multi-node-postgres.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentsFromConfig, mergeDocuments } from '../../src/config/database-config.js';
import { importConfigFile } from '../../src/cli/import.js';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { basic, demoConfig, form } from '../helpers/server.js';

describe('config documents', () => {
  const input = {
    clients: [{ clientId: 'a', allowedGrantTypes: ['client_credentials'] }, { clientId: 'b' }],
    identityResources: ['openid', { name: 'custom', userClaims: ['x'] }],
    apiScopes: [{ name: 'api' }],
    apiResources: [{ name: 'res', scopes: ['api'] }],
  };

  it('one document per client and resource, named by clientId or name; standard names kept as names', () => {
    expect(documentsFromConfig(input)).toEqual([
      { kind: 'client', id: 'a', document: input.clients[0] },
      { kind: 'client', id: 'b', document: input.clients[1] },
      { kind: 'identityResource', id: 'openid', document: { standard: 'openid' } },
      { kind: 'identityResource', id: 'custom', document: input.identityResources[1] },
      { kind: 'apiScope', id: 'api', document: input.apiScopes[0] },
      { kind: 'apiResource', id: 'res', document: input.apiResources[0] },
    ]);
  });

  it('database entries replace file entries of the same id and add new ones; other sections stay', () => {
    const merged = mergeDocuments({ ...input, server: { port: 1 } }, [
      { kind: 'client', id: 'b', document: { clientId: 'b', clientName: 'from db' } },
      { kind: 'client', id: 'c', document: { clientId: 'c' } },
      { kind: 'identityResource', id: 'profile', document: { standard: 'profile' } },
    ]);
    expect(merged.clients).toEqual([input.clients[0], { clientId: 'b', clientName: 'from db' }, { clientId: 'c' }]);
    expect(merged.identityResources).toEqual(['openid', input.identityResources[1], 'profile']);
    expect(merged.apiScopes).toEqual(input.apiScopes);
    expect(merged.server).toEqual({ port: 1 });
  });
});

describe('import and live reload on two nodes sharing one SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dbconfig-'));
  const dbPath = join(dir, 'shared.db');
  const nodes: { gh: Gatehouse; server: http.Server; url: string }[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    const config = demoConfig();
    config.server = { issuer: 'http://127.0.0.1:1', dataDir: dir };
    config.store = { type: 'sqlite', sqlitePath: dbPath, configPollInterval: 1 };
    config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    for (let i = 0; i < 2; i++) {
      const gh = await createGatehouse(config, { logger });
      const server = http.createServer(gh.handler);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      nodes.push({ gh, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  });
  afterAll(async () => {
    for (const n of nodes) {
      n.server.closeAllConnections();
      await new Promise((r) => n.server.close(r));
      await n.gh.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const clientCredentials = (url: string, clientId: string) =>
    fetch(`${url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic(clientId, 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ grant_type: 'client_credentials', scope: 'api' }),
    });
  const eventually = async (check: () => Promise<boolean>, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  };
  const importFile = async (content: unknown) => {
    const file = join(dir, `import-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(content));
    const backend = await createSqliteBackend({ path: dbPath });
    const out: string[] = [];
    try {
      await importConfigFile(file, { backend, out: (s) => out.push(s) });
    } finally {
      await backend.close();
    }
    return out.join('\n');
  };

  it('a client imported into the database is accepted by every node without restart; removed again, refused', async () => {
    for (const n of nodes) expect((await clientCredentials(n.url, 'imported')).status).toBe(401);
    const withClient = demoConfig();
    withClient.clients = [
      ...(withClient.clients ?? []),
      {
        clientId: 'imported',
        clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
        allowedGrantTypes: ['client_credentials'],
        allowedScopes: ['api'],
      },
    ];
    const summary = await importFile(withClient);
    // The demo's clients (config/demo.json grows with the contract) and the imported one.
    expect(summary).toMatch(
      new RegExp(
        `^imported ${withClient.clients.length} client\\(s\\), 6 identity resource\\(s\\), 1 API scope\\(s\\), 1 API resource\\(s\\); users: ${withClient.users?.length ?? 0} added, 0 updated; configuration version \\d+$`,
      ),
    );
    for (const n of nodes) expect(await eventually(async () => (await clientCredentials(n.url, 'imported')).status === 200)).toBe(true);
    // Users went to the SQL user table (hashed), the demo users stay usable.
    const backend = await createSqliteBackend({ path: dbPath });
    expect((await backend.users.findByUsername('alice'))?.passwordHash).toMatch(/^\$argon2id\$/);
    await backend.close();

    expect(await importFile(demoConfig())).toMatch(new RegExp(`users: 0 added, ${withClient.users?.length ?? 0} updated`));
    for (const n of nodes) expect(await eventually(async () => (await clientCredentials(n.url, 'imported')).status === 401)).toBe(true);
  });

  it('an invalid file is refused before anything is stored, with the path of the bad value', async () => {
    const bad = demoConfig();
    bad.clients = [{ clientId: 'x', redirectUris: ['not a uri'], allowedGrantTypes: ['authorization_code'] }];
    await expect(importFile(bad)).rejects.toThrow(/clients\[0\]\.redirectUris\[0\]/);
    expect((await clientCredentials(nodes[0].url, 'm2m')).status).toBe(200);
  });
});
