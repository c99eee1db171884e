/**
 * The `gatehouse` command line, run as a real process (vite-node runs the
 * TypeScript entry point directly, so the test does not depend on dist/).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');

function run(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(VITE_NODE, [MAIN, '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 60_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `gatehouse start` on the demo config; resolves when it listens. */
function start(port: number, dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(VITE_NODE, [MAIN, '--', 'start', '--config', 'config/demo.json'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), GATEHOUSE_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const stop = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));
  return { ready, stop };
}

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'gh-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('gatehouse CLI', () => {
  it('hash-secret prints IdentityServer\'s "secret".Sha256()', () => {
    const r = run(['hash-secret', 'secret']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=');
  });

  it('an invalid configuration lists every bad value with its path and exits non-zero', () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        clients: [
          { clientId: 'a', allowedGrantTypes: ['authorization_code'], redirectUris: ['not a uri'], allowedScopes: ['nope'] },
          { clientId: 'a', allowedGrantTypes: ['client_credentials'], redirectUri: 'http://x' },
        ],
      }),
    );
    const r = run(['check', '--config', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('clients[0].redirectUris[0]: must be an absolute URI without fragment');
    expect(r.stderr).toMatch(/clients\[0\]\.allowedScopes\[0\]/);
    expect(r.stderr).toMatch(/clients\[1\]\.redirectUri: unknown key/);
    expect(r.stderr).toMatch(/clients\[1\]\.clientId/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('start serves the demo on PORT with the issuer following it; a restart keeps the signing key', async () => {
    const dir = tempDir();
    const port = await freePort();
    let server = start(port, dir);
    await server.ready;
    const base = `http://localhost:${port}`;
    const discovery = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
    expect(discovery.issuer).toBe(base);
    const kid1 = (await (await fetch(discovery.jwks_uri)).json()).keys[0].kid;
    await server.stop();

    server = start(port, dir);
    await server.ready;
    const kid2 = (await (await fetch(`${base}/.well-known/openid-configuration/jwks`)).json()).keys[0].kid;
    expect(kid2).toBe(kid1);
    await server.stop();

    const list = run(['keys', 'list', '--config', 'config/demo.json'], { GATEHOUSE_DATA_DIR: dir });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(kid1);
    expect(list.stdout).toContain('active');
  }, 60_000);

  it('ISSUER overrides the issuer (proxy in front)', async () => {
    const dir = tempDir();
    const port = await freePort();
    const server = start(port, dir, { ISSUER: 'https://id.example.com' });
    await server.ready;
    const discovery = await (await fetch(`http://localhost:${port}/.well-known/openid-configuration`)).json();
    expect(discovery.issuer).toBe('https://id.example.com');
    expect(discovery.token_endpoint).toBe('https://id.example.com/connect/token');
    await server.stop();
  }, 60_000);
});
