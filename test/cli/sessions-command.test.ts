/**
 * `gatehouse sessions list|end` as a real process, on the SQLite file a
 * running provider uses: it lists the provider's sessions and ends one,
 * which sends back-channel logout to the session's client.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, jwtVerify, createRemoteJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { runSessionsCommand } from '../../src/cli/sessions.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import { CookieJar, demoConfig, startTestServer, TestClock, type TestServer } from '../helpers/server.js';
import { rpClient, signInClient, startRelyingParty, type RelyingParty } from '../sessions/logout-helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');

/** Runs the CLI without blocking this process (the relying party server here must keep answering). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(VITE_NODE, [MAIN, '--', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gatehouse sessions', () => {
  let dir: string;
  let rp: RelyingParty;
  let s: TestServer;
  let configFile: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-sessions-'));
    rp = await startRelyingParty();
    const config: ConfigInput = demoConfig();
    config.clients = [...(config.clients ?? []), rpClient(rp.url, 'one', { frontChannelLogoutUri: undefined })];
    config.store = { type: 'sqlite', sqlitePath: join(dir, 'gatehouse.db') };
    config.keys = { ...config.keys, keyEncryptionKey: randomBytes(32).toString('base64') };
    config.server = { ...config.server, dataDir: dir };
    // The CLI uses the real clock; so does this provider.
    s = await startTestServer({ config, clock: new TestClock(), options: { backend: await createSqliteBackend({ path: join(dir, 'gatehouse.db') }) } });
    configFile = join(dir, 'gatehouse.json');
    writeFileSync(configFile, JSON.stringify({ ...config, server: { ...config.server, issuer: s.url } }));
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists sessions by user and client, and ends one with back-channel logout', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'one');
    const sid = decodeJwt(t.idToken).sid as string;

    const list = await cli(['sessions', 'list', '--config', configFile, '--sub', '1']);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toBe('sid\tsubject\tsigned in\texpires\tclients');
    expect(lines.slice(1).map((l) => l.split('\t')[0])).toEqual([sid]);
    expect(lines[1].split('\t')[4]).toBe('app.one');

    // The same command in-process (no process start): JSON output and the refusal of an unfiltered end.
    const out: string[] = [];
    const err: string[] = [];
    const ctx = { sessions: s.gh.sessions, out: (x: string) => out.push(x), err: (x: string) => err.push(x), events: [] };
    expect(await runSessionsCommand(['list', '--client', 'app.one', '--json'], ctx)).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject([{ sid, subjectId: '1', clients: [{ clientId: 'app.one', sid }] }]);
    expect(await runSessionsCommand(['end'], ctx)).toBe(2);
    expect(err[0]).toMatch(/needs --sid, --sub or --client/);
    expect(await runSessionsCommand(['list', '--bogus'], ctx)).toBe(2);
    // Session ids are base64url and may start with '-': `--sid -…` is a value, not an option.
    const before = err.length;
    expect(await runSessionsCommand(['list', '--sid', '-Ab3', '--json'], ctx)).toBe(0);
    expect(out.at(-1)).toBe('[]');
    expect(err.length).toBe(before);
    expect(await s.gh.sessions.query({ sid })).toHaveLength(1);

    const end = await cli(['sessions', 'end', '--config', configFile, '--sid', sid]);
    expect(end.code, end.stderr).toBe(0);
    expect(end.stdout.trim()).toBe(`ended 1 session: ${sid}`);
    const post = rp.received.find((r) => r.path === '/bc/one')!;
    const { payload } = await jwtVerify(post.body.get('logout_token')!, createRemoteJWKSet(new URL(`${s.url}/.well-known/openid-configuration/jwks`)), {
      issuer: s.url,
      audience: 'app.one',
      typ: 'logout+jwt',
    });
    expect(payload.sid).toBe(sid);
    expect(await s.gh.sessions.query({ sid })).toEqual([]);
  }, 60_000);
});
