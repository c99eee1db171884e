/**
 * Pairwise subject configuration (OIDC Core §8.1): the checks that need no
 * network (salt, https sector identifier URI, several redirect hosts) fail
 * config validation with the client's path; the sector identifier URI is
 * fetched at start and by `gatehouse check`, over https with the dev CA
 * trusted as NODE_EXTRA_CA_CERTS, and must list every redirect URI; an
 * unreachable one stops the start with a clear reason.
 */
import { spawn } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createGatehouse } from '../../src/provider.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { makeDevCert, type DevCert } from '../conformance/https-op.js';
import { cliCommand, ROOT } from '../helpers/cli-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startServer, type CountingServer } from '../net/servers.js';

const SALT = 'a-test-salt-of-sufficient-length';
const client = (extra: Record<string, unknown>) => ({
  clientId: 'pw',
  clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
  allowedGrantTypes: ['authorization_code'],
  redirectUris: ['https://app.example.com/cb'],
  allowedScopes: ['openid'],
  subjectType: 'pairwise',
  ...extra,
});
const config = (c: Record<string, unknown>, salt: string | null = SALT): ConfigInput =>
  ({ identityResources: ['openid'], clients: [c], ...(salt && { subjects: { pairwiseSalt: salt } }) }) as ConfigInput;

function issuesOf(input: ConfigInput): string[] {
  try {
    parseConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('pairwise configuration checks without the network', () => {
  it('a pairwise client needs subjects.pairwiseSalt', () => {
    expect(issuesOf(config(client({}), null))).toEqual([
      expect.stringMatching(/^clients\[0\]\.subjectType: pairwise subject identifiers need subjects\.pairwiseSalt/),
    ]);
  });

  it('a pairwise client with redirect URIs on several hosts needs a sectorIdentifierUri', () => {
    const issues = issuesOf(config(client({ redirectUris: ['https://a.example.com/cb', 'https://b.example.com/cb'] })));
    expect(issues).toEqual([expect.stringMatching(/^clients\[0\]\.sectorIdentifierUri: .*several hosts \(a\.example\.com, b\.example\.com\)/)]);
  });

  it('a sectorIdentifierUri must be https', () => {
    expect(issuesOf(config(client({ sectorIdentifierUri: 'http://app.example.com/sector.json' })))).toEqual([
      'clients[0].sectorIdentifierUri: must be an https URL (OIDC Core §8.1)',
    ]);
  });

  it('a short salt is refused', () => {
    expect(issuesOf(config(client({}), 'short'))).toEqual(['subjects.pairwiseSalt: must be at least 16 characters']);
  });
});

describe('an unreachable sector identifier URI stops the start', () => {
  it('createGatehouse rejects with the client path and the reason', async () => {
    const input = config(client({ sectorIdentifierUri: 'https://127.0.0.1:1/sector.json' }));
    const start = createGatehouse(input, { backend: createMemoryBackend(), logger: pino({ level: 'silent' }), timers: false });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(
      /clients\[0\]\.sectorIdentifierUri: the sector identifier URI could not be fetched \(network: https:\/\/127\.0\.0\.1:1\/sector\.json/,
    );
  });
});

const skip = requirePrograms(['openssl']);

describe.skipIf(!!skip)('gatehouse check fetches the sector identifier URI (https, dev CA)', () => {
  let cert: DevCert;
  let sector: CountingServer;
  beforeAll(async () => {
    cert = await makeDevCert();
    const send = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    sector = await startServer(
      (req, res) => {
        if (req.url === '/all.json') return send(res, ['https://app.example.com/cb', 'https://other.example.com/cb']);
        if (req.url === '/some.json') return send(res, ['https://other.example.com/cb']);
        if (req.url === '/object.json') return send(res, { redirect_uris: ['https://app.example.com/cb'] });
        res.writeHead(404).end();
      },
      { host: '127.0.0.1', tls: { cert: readFileSync(cert.certFile, 'utf8'), key: readFileSync(cert.keyFile, 'utf8') } },
    );
  });
  afterAll(async () => {
    await sector?.close();
    cert?.remove();
  });

  /** Runs `gatehouse check` on a configuration whose client names `path` of the sector server (async: this process serves it). */
  async function check(path: string): Promise<{ code: number | null; output: string }> {
    const file = join(cert.dir, `config-${path.replace(/\W/g, '')}.json`);
    const uri = `https://localhost:${sector.port}${path}`;
    writeFileSync(
      file,
      JSON.stringify(config(client({ redirectUris: ['https://app.example.com/cb', 'https://other.example.com/cb'], sectorIdentifierUri: uri }))),
    );
    const { cmd, args } = cliCommand();
    const child = spawn(cmd, [...args, 'check', '--config', file], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { code, output };
  }

  it('accepts a sector whose document lists every redirect URI', async () => {
    const r = await check('/all.json');
    expect(r.output).toContain('configuration is valid');
    expect(r.code).toBe(0);
    expect(sector.hits).toContain('/all.json');
  });

  it('refuses a document that does not list a redirect URI, naming it', async () => {
    const r = await check('/some.json');
    expect(r.code).toBe(1);
    expect(r.output).toContain('clients[0].sectorIdentifierUri: the sector identifier URI does not list the redirect URI(s) https://app.example.com/cb');
  });

  it('refuses a document that is not a JSON array, and one that is not there', async () => {
    const r = await check('/object.json');
    expect(r.code).toBe(1);
    expect(r.output).toContain('must answer a JSON array of redirect URIs');
    const missing = await check('/missing.json');
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/could not be fetched \(status: .*404/);
  });
});
