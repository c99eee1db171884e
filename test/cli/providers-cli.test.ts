/**
 * `gatehouse providers`: dynamic external providers in the store, seen by a
 * running server within the cache TTL (no restart); and the real command
 * against a SQLite data folder, as a process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, pkce, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { runProvidersCommand } from '../../src/cli/providers.js';
import { createMemoryBackend } from '../../src/stores/memory.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'gh-providers-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: TestServer;
const backend = createMemoryBackend();
const clock = new TestClock();
const lines: string[] = [];
const cli = (...args: string[]) =>
  runProvidersCommand(args, { store: backend.federation!, configured: [], out: (s) => lines.push(s), err: (s) => lines.push(`ERR ${s}`), clock });

beforeAll(async () => {
  server = await startTestServer({ clock, options: { backend } });
});
afterAll(async () => {
  await server?.close();
});

async function loginPage(): Promise<string> {
  const jar = new CookieJar();
  const { challenge } = await pkce();
  const q = new URLSearchParams({
    client_id: 'interactive.confidential',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    response_type: 'code',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const loc = (await jar.fetch(`${server.url}/connect/authorize?${q}`)).headers.get('location')!;
  return (await jar.fetch(loc)).text();
}

describe('gatehouse providers (in-process, against a running server)', () => {
  it('add shows a button after the cache TTL, disable hides it, remove deletes it', async () => {
    expect(await loginPage()).not.toContain('Sign in with Corp SSO');
    expect(await cli('add', 'corp', '--issuer', 'https://idp.corp.example', '--client-id', 'gh', '--client-secret', 's', '--display-name', 'Corp SSO')).toBe(0);
    clock.advance(31);
    expect(await loginPage()).toContain('Sign in with Corp SSO');
    expect(await cli('disable', 'corp')).toBe(0);
    clock.advance(31);
    expect(await loginPage()).not.toContain('Sign in with Corp SSO');
    expect(await cli('enable', 'corp')).toBe(0);
    lines.length = 0;
    expect(await cli('list')).toBe(0);
    expect(lines.join('\n')).toContain('corp\toidc\tyes\tstore');
    expect(await cli('remove', 'corp')).toBe(0);
    expect(await cli('remove', 'corp')).toBe(1);
  });

  it('refuses an unusable provider with the reason', async () => {
    lines.length = 0;
    expect(await cli('add', 'Bad Name', '--issuer', 'https://x.example', '--client-id', 'a', '--client-secret', 's')).toBe(1);
    expect(await cli('add', 'gh', '--type', 'oauth2', '--issuer', 'https://x.example', '--client-id', 'a', '--client-secret', 's')).toBe(1);
    expect(lines.join('\n')).toContain('authorizationEndpoint is required');
    expect(await cli('add', 'nosecret', '--issuer', 'https://x.example', '--client-id', 'a')).toBe(1);
    expect(lines.join('\n')).toContain('clientSecret is required');
  });
});

describe('gatehouse providers (a real process, SQLite)', () => {
  it('stores providers durably', () => {
    const config = join(dir, 'gatehouse.json');
    writeFileSync(config, JSON.stringify({ server: { dataDir: dir }, store: { type: 'sqlite' } }));
    const run = (...args: string[]) =>
      spawnSync('node', ['dist/cli/main.js', 'providers', ...args, '--config', config], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const add = run('add', 'google', '--type', 'google', '--client-id', 'id.apps.googleusercontent.com', '--client-secret', 's');
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const list = run('list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'google', type: 'google', enabled: true, source: 'store' }]);
  });
});
