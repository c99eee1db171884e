/**
 * Configuration as code: `gatehouse export` / `gatehouse apply` as real
 * processes over SQLite (plan, --diff masking, exit codes, refused deletes,
 * re-apply no-op, invalid files changing nothing, the memory store refused),
 * a concurrent change between plan and apply, and the Keycloak realm import
 * (mapping, per-user report of unknown hash formats, PBKDF2 users signing in
 * through real HTTP and being re-hashed to argon2id).
 */
import { spawnSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { hashSecret } from '../../src/client-auth/secrets.js';
import { openBackend } from '../../src/stores/open-backend.js';
import type { Backend } from '../../src/stores/types.js';
import { ApplyError, applyPlan, exportConfig, planApply } from '../../src/config-as-code/apply.js';
import { parseConfigFile } from '../../src/config-as-code/format.js';
import { mapKeycloakRealm } from '../../src/config-as-code/keycloak.js';
import { importKeycloak } from '../../src/config-as-code/import-keycloak.js';
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js';
import { buildDist } from '../helpers/gatehouse-process.js';
import { basic, demoConfig, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin } from '../helpers/flow.js';
import { token } from '../endpoints/helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gh-config-as-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI (one process per command, as an operator would). */
function gatehouse(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, GATEHOUSE_DATA_DIR: dir, DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const write = (name: string, doc: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return path;
};

const SECRET_HASH = hashSecret('secret');
const ARGON = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9pQ1yOE8fWY0i3bBnn6kgQ2f0S6Yc0oG0v3I6vZb2VI';
const webClient = (extra: Record<string, unknown> = {}) => ({
  clientId: 'web',
  clientName: 'Web',
  allowedGrantTypes: ['authorization_code'],
  redirectUris: ['https://app.example/cb'],
  allowedScopes: ['openid', 'api'],
  clientSecrets: [{ value: SECRET_HASH }],
  ...extra,
});
const fileWith = (o: Record<string, unknown>) => ({ format: 'gatehouse-config', version: 1, ...o });
const base = {
  format: 'gatehouse-config',
  version: 1,
  clients: [webClient(), { clientId: 'worker', allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'], clientSecrets: [{ value: SECRET_HASH }] }],
  apiScopes: [{ name: 'api' }],
  identityResources: ['openid'],
  users: [{ subjectId: 'u-1', username: 'ann', passwordHash: ARGON, claims: { email: 'ann@example.test' }, isActive: true }],
};

describe('gatehouse export / apply (CLI over SQLite)', () => {
  let config: string;
  beforeAll(() => {
    buildDist();
    config = write('gatehouse.json', { store: { type: 'sqlite', sqlitePath: join(dir, 'cli.db') } });
  }, 180_000);

  const exported = () => {
    const r = gatehouse('export', '--config', config);
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('plans without --yes, applies with it, and a re-apply reports "no changes"', () => {
    const file = write('v1.json', base);
    const dry = gatehouse('apply', file, '--config', config);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('+ client web\n+ client worker\n+ identityResource openid\n+ apiScope api\n+ user ann (u-1)\n');
    expect(dry.stdout).toContain('not applied: run again with --yes');
    expect(JSON.parse(exported()).clients).toEqual([]);

    const applied = gatehouse('apply', file, '--config', config, '--yes', '--diff');
    expect(applied.stdout).toContain('plan: 5 to add, 0 to change, 0 to delete');
    expect(applied.stdout).toContain('    + clientSecrets: ***');
    expect(applied.stdout).toContain('    + passwordHash: ***');
    // --diff never prints secrets or password hashes.
    expect(applied.stdout).not.toContain(SECRET_HASH);
    expect(applied.stdout).not.toContain('$argon2id');
    expect(applied.stdout).toMatch(/applied: configuration version \d+/);
    expect(applied.status).toBe(0);

    const again = gatehouse('apply', file, '--config', config, '--yes');
    expect(again.stdout.trim()).toBe('no changes');
    expect(again.status).toBe(0);
  }, 60_000);

  it('exports in a stable order that re-applies as "no changes" (JSON and YAML)', () => {
    const first = exported();
    expect(exported()).toBe(first);
    const doc = JSON.parse(first) as Record<string, unknown[]>;
    expect((doc.clients as Array<{ clientId: string }>).map((c) => c.clientId)).toEqual(['web', 'worker']);
    expect(Object.keys(doc.clients[0] as object)).toEqual([...Object.keys(doc.clients[0] as object)].sort());
    expect(doc.users).toEqual([{ subjectId: 'u-1', username: 'ann', passwordHash: ARGON, claims: { email: 'ann@example.test' }, isActive: true }]);
    expect((doc.clients[0] as { clientSecrets: unknown }).clientSecrets).toEqual([{ value: SECRET_HASH }]);
    expect(gatehouse('apply', write('roundtrip.json', first), '--config', config, '--yes').stdout.trim()).toBe('no changes');

    const yamlOut = join(dir, 'export.yaml');
    expect(gatehouse('export', '--config', config, '--out', yamlOut).status).toBe(0);
    expect(readFileSync(yamlOut, 'utf8')).toMatch(/^format: gatehouse-config\nversion: 1\nclients:\n/);
    expect(gatehouse('apply', yamlOut, '--config', config, '--yes').stdout.trim()).toBe('no changes');
  }, 60_000);

  it('a change shows a per-field diff and is applied', () => {
    const changed = fileWith({
      ...base,
      clients: [webClient({ clientName: 'Web app', redirectUris: ['https://app.example/cb2'] }), (base.clients as unknown[])[1]],
    });
    const r = gatehouse('apply', write('v2.json', changed), '--config', config, '--yes', '--diff');
    expect(r.stdout).toContain(
      '~ client web\n    ~ clientName: "Web" -> "Web app"\n    ~ redirectUris: ["https://app.example/cb"] -> ["https://app.example/cb2"]\n',
    );
    expect(r.stdout).toContain('plan: 0 to add, 1 to change, 0 to delete');
    expect(r.status).toBe(0);
    expect(JSON.parse(exported()).clients[0].clientName).toBe('Web app');
  }, 60_000);

  it('refuses deletes without --allow-delete (exit 2, nothing changed), applies them with it', () => {
    const before = exported();
    const fewer = write('v3.json', fileWith({ ...base, clients: [webClient()], users: [] }));
    const refused = gatehouse('apply', fewer, '--config', config, '--yes');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toContain('- client worker\n');
    expect(refused.stdout).toContain('- user ann (u-1)\n');
    expect(refused.stderr.trim()).toBe('refusing to delete 2 entries without --allow-delete; nothing was changed');
    expect(exported()).toBe(before);

    const allowed = gatehouse('apply', fewer, '--config', config, '--yes', '--allow-delete');
    expect(allowed.status).toBe(0);
    const after = JSON.parse(exported());
    expect(after.clients.map((c: { clientId: string }) => c.clientId)).toEqual(['web']);
    expect(after.users).toEqual([]);
  }, 60_000);

  it('an invalid file changes nothing and names every JSON path at fault (exit 1, no stack trace)', () => {
    const before = exported();
    const bad = write(
      'bad.json',
      fileWith({
        clients: [webClient({ redirectUris: ['not a uri'], allowedScopes: ['openid', 'nope'] }), webClient()],
        users: [{ subjectId: '', username: 'x', passwordHash: 'plain-text' }],
        surprise: true,
      }),
    );
    const r = gatehouse('apply', bad, '--config', config, '--yes', '--allow-delete');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    for (const path of [
      'clients[0].redirectUris[0]',
      'clients[0].allowedScopes[1]',
      'clients[1].clientId',
      'users[0].subjectId',
      'users[0].passwordHash',
      'surprise',
    ]) {
      expect(r.stderr).toContain(`  ${path}: `);
    }
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(exported()).toBe(before);

    const broken = gatehouse('apply', write('broken.json', '{ "format": '), '--config', config, '--yes');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('syntax error');
    const wrongFormat = gatehouse('apply', write('other.json', { clients: [] }), '--config', config);
    expect(wrongFormat.status).toBe(1);
    expect(wrongFormat.stderr).toContain('  format: ');
    expect(wrongFormat.stderr).toContain('  version: ');
  }, 60_000);

  it('the memory store is refused with a clear message', () => {
    const memory = write('memory.json', { store: { type: 'memory' } });
    for (const args of [['export'], ['apply', write('ok.json', base), '--yes']]) {
      const r = gatehouse(...args, '--config', memory);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(
        'gatehouse: this store cannot persist configuration (store.type "memory"): export and apply need store.type "sqlite" or "postgres" (or DATABASE_URL)',
      );
    }
  }, 60_000);
});

/** Opens a fresh SQLite backend in the test folder. */
async function sqliteBackend(name: string): Promise<Backend> {
  return openBackend(parseConfig({ store: { type: 'sqlite', sqlitePath: join(dir, name) } }).config);
}

describe('concurrent change between plan and apply', () => {
  it('nothing is written and the operator is told to run again', async () => {
    const backend = await sqliteBackend('concurrent.db');
    try {
      const file = parseConfigFile(base);
      const planned = await planApply(backend, file);
      expect(planned.plan.adds).toBe(5);
      // Another operator imports meanwhile.
      await backend.configDocuments!.replaceAll([{ kind: 'apiScope', id: 'other', document: { name: 'other' } }], Date.now());
      await expect(applyPlan(backend, file, planned)).rejects.toThrow(ApplyError);
      await expect(applyPlan(backend, file, planned)).rejects.toThrow('the stored configuration changed while this plan was made');
      const state = await exportConfig(backend);
      expect(state.apiScopes).toEqual([{ name: 'other' }]);
      expect(state.clients).toEqual([]);
      expect(state.users).toEqual([]);
      // A fresh plan (which now also deletes the other scope) goes through; then there is nothing left to do.
      const fresh = await planApply(backend, file);
      expect(fresh.plan.entries.filter((e) => e.action !== 'add').map((e) => `${e.action} ${e.kind} ${e.id}`)).toEqual(['delete apiScope other']);
      await applyPlan(backend, file, fresh);
      expect((await planApply(backend, file)).plan.entries).toEqual([]);
    } finally {
      await backend.close();
    }
  });
});

describe('Keycloak realm import', () => {
  const PASSWORDS: Record<string, string> = { 'kc-alice': 'Wonderland-1', 'kc-bob': 'Builder-22', 'kc-carol': 'Carol-333' };
  /** The fixture with real Keycloak PBKDF2 credentials (64-byte keys, Keycloak's derivedKeySize of 512 bits). */
  function realm(): Record<string, unknown> {
    const doc = JSON.parse(readFileSync(new URL('../fixtures/keycloak-realm-export.json', import.meta.url), 'utf8')) as {
      users: Array<{ username: string; credentials: Array<{ secretData: string; credentialData: string }> }>;
    };
    const digests: Record<string, string> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };
    for (const u of doc.users) {
      const password = PASSWORDS[u.username];
      for (const c of u.credentials) {
        if (!password) continue;
        const data = JSON.parse(c.credentialData) as { hashIterations: number; algorithm: string };
        const salt = randomBytes(16);
        const value = pbkdf2Sync(password, salt, data.hashIterations, 64, digests[data.algorithm]);
        c.secretData = JSON.stringify({ value: value.toString('base64'), salt: salt.toString('base64'), additionalParameters: {} });
      }
    }
    return doc;
  }

  let backend: Backend;
  let s: TestServer;
  let report: string[];
  beforeAll(async () => {
    backend = await sqliteBackend('keycloak.db');
    const result = await importKeycloak(backend, mapKeycloakRealm(realm(), 'realm.json'), { base: demoConfig() });
    report = result.report;
    expect(result).toMatchObject({ clients: 3, usersAdded: 3, usersUpdated: 0 });
    s = await startTestServer({ options: { backend } });
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it('reports each user with an unknown hash format or no password, and the clients it could not carry over', () => {
    expect(report).toContain('user kc-dave: unknown password hash format "bcrypt" (supported: pbkdf2, pbkdf2-sha256, pbkdf2-sha512); skipped');
    expect(report).toContain('user kc-erin: no password credential (federated or passwordless account); skipped');
    expect(report).toContain('client orders-api: bearer-only (a resource server, not a client); skipped');
    expect(report).toContain('client legacy-saml: protocol "saml" is not OpenID Connect; skipped');
    expect(report).toContain(
      'client orders-web: redirect URI "https://orders.acme.test/*" is a pattern or relative; Gatehouse compares redirect URIs exactly (add each one)',
    );
    expect(report).toContain('client spa: the implicit flow is not carried over (OAuth 2.0 Security BCP); use the authorization code flow');
    expect(report.some((l) => l.includes('service-account'))).toBe(false);
  });

  it('maps clients, scopes, roles and users', async () => {
    const state = await exportConfig(backend);
    const byId = Object.fromEntries(state.clients.map((c) => [c.clientId, c]));
    expect(Object.keys(byId)).toEqual(['billing-worker', 'orders-web', 'spa']);
    expect(byId['orders-web']).toMatchObject({
      clientName: 'Orders',
      allowedGrantTypes: ['authorization_code', 'refresh_token', 'password'],
      requireClientSecret: true,
      clientSecrets: [{ value: hashSecret('orders-secret-4f2a') }],
      redirectUris: ['https://orders.acme.test/callback', 'https://orders.acme.test/silent-renew'],
      allowedCorsOrigins: ['https://cdn.acme.test', 'https://orders.acme.test'],
      allowedScopes: ['openid', 'profile', 'roles', 'email', 'address', 'phone', 'orders'],
      allowOfflineAccess: true,
    });
    expect(byId.spa).toMatchObject({
      requireClientSecret: false,
      allowedGrantTypes: ['authorization_code', 'refresh_token'],
      allowedCorsOrigins: ['http://localhost:5173'],
    });
    expect(byId['billing-worker']).toMatchObject({ allowedGrantTypes: ['client_credentials'], allowedScopes: ['openid', 'orders'] });
    expect(state.apiScopes).toEqual([{ name: 'orders' }]);
    expect(state.identityResources).toContainEqual({ name: 'roles', displayName: 'Your roles', userClaims: ['role'] });
    const alice = state.users.find((u) => u.username === 'kc-alice')!;
    expect(alice).toMatchObject({
      subjectId: '1d3f6a0e-aaaa-4c1b-9a51-000000000001',
      isActive: true,
      claims: {
        email: 'alice@acme.test',
        email_verified: true,
        given_name: 'Alice',
        family_name: 'Adams',
        name: 'Alice Adams',
        role: ['admin', 'account:manage-account', 'orders-web:orders-admin', 'user'].sort(),
      },
    });
    expect(alice.passwordHash).toMatch(/^\$pbkdf2-sha256\$i=27500\$/);
    expect(state.users.find((u) => u.username === 'kc-carol')).toMatchObject({
      isActive: false,
      passwordHash: expect.stringMatching(/^\$pbkdf2-sha1\$i=20000\$/),
    });
    expect(state.users.map((u) => u.username)).toEqual(['kc-alice', 'kc-bob', 'kc-carol']);
  });

  const stored = async (username: string) => (await backend.users.findByUsername(username))!.passwordHash;

  it('a Keycloak user signs in on the login page with the old password; the hash becomes argon2id', async () => {
    expect(await stored('kc-alice')).toMatch(/^\$pbkdf2-sha256\$/);
    const flow = await authorizeWithLogin(s.url, { username: 'kc-alice', password: PASSWORDS['kc-alice'], scope: 'openid profile' });
    expect(flow.code).toBeTruthy();
    const now = await stored('kc-alice');
    expect(now).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(now, PASSWORDS['kc-alice'])).toBe(true);
    // Signing in again verifies the argon2id hash.
    expect((await authorizeWithLogin(s.url, { username: 'kc-alice', password: PASSWORDS['kc-alice'], scope: 'openid profile' })).code).toBeTruthy();
  });

  it('a wrong password is refused and keeps the PBKDF2 hash; the right one (password grant, sha512) re-hashes', async () => {
    const auth = { authorization: basic('orders-web', 'orders-secret-4f2a') };
    const wrong = await token(s.url, { grant_type: 'password', username: 'kc-bob', password: 'Builder-23', scope: 'openid' }, auth);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect(await stored('kc-bob')).toMatch(/^\$pbkdf2-sha512\$i=210000\$/);
    const right = await token(s.url, { grant_type: 'password', username: 'kc-bob', password: PASSWORDS['kc-bob'], scope: 'openid roles' }, auth);
    expect(right.status).toBe(200);
    expect(await stored('kc-bob')).toMatch(/^\$argon2id\$/);
  });

  it('the PBKDF2 verifier refuses malformed and tampered hashes without throwing', async () => {
    const hash = await stored('kc-carol');
    expect(await verifyPassword(hash, PASSWORDS['kc-carol'])).toBe(true);
    expect(await verifyPassword(hash, 'Carol-334')).toBe(false);
    const [, alg, iter, salt, key] = hash.split('$');
    expect(await verifyPassword(['', alg, 'i=20001', salt, key].join('$'), PASSWORDS['kc-carol'])).toBe(false);
    expect(await verifyPassword(['', alg, iter, salt, 'AAAA'].join('$'), PASSWORDS['kc-carol'])).toBe(false);
    expect(await verifyPassword('$pbkdf2-md5$i=1$AAAA$AAAA', 'x')).toBe(false);
    expect(await verifyPassword(await hashPassword('x'), 'x')).toBe(true);
  });

  it('gatehouse import --from keycloak (CLI): lists what it skipped per user, imports the rest, exit 0', () => {
    buildDist();
    const config = write('kc-cli.json', { store: { type: 'sqlite', sqlitePath: join(dir, 'kc-cli.db') } });
    const r = gatehouse('import', '--from', 'keycloak', write('realm.json', realm()), '--config', config);
    expect(r.stderr).toContain('not imported: user kc-dave: unknown password hash format "bcrypt"');
    expect(r.stdout).toMatch(/^imported realm "acme": 3 client\(s\); users: 3 added, 0 updated, 2 not imported; configuration version \d+\n$/);
    expect(r.status).toBe(0);
    const users = (JSON.parse(gatehouse('export', '--config', config).stdout) as { users: Array<{ username: string }> }).users;
    expect(users.map((u) => u.username)).toEqual(['kc-alice', 'kc-bob', 'kc-carol']);
    const usage = gatehouse('import', '--from', 'okta', 'x.json', '--config', config);
    expect(usage.status).toBe(1);
    expect(usage.stderr.trim()).toBe('usage: gatehouse import --from keycloak REALM.json [--config FILE]');
  }, 120_000);

  it('a file that is not a realm export is refused with paths; the memory store is refused', async () => {
    expect(() => mapKeycloakRealm({ clients: [{ clientId: 5 }] }, 'x.json')).toThrow(/realm: .*\n.*clients\[0\]\.clientId: /s);
    const { createMemoryBackend } = await import('../../src/stores/memory.js');
    await expect(importKeycloak(createMemoryBackend(), mapKeycloakRealm(realm()))).rejects.toThrow('this store cannot persist configuration');
  });
});
