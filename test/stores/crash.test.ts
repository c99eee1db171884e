/**
 * Crash test: a server under load is killed with SIGKILL and restarted on the
 * same store. Nothing committed is lost (grants, sessions, consents, keys) and
 * every request in flight at the kill either completed or failed cleanly (a
 * connection error, never a 5xx or a malformed answer).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, demoConfig, form, type CookieJar } from '../helpers/server.js';
import { freePort } from '../helpers/ports.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startGatehouseProcess, type GatehouseProcess } from '../helpers/gatehouse-process.js';

const PUBLIC_REDIRECT = 'http://127.0.0.1/callback';
const noPg = requirePrograms(['postgresql'], 'on PostgreSQL');

interface Committed {
  kind: 'confidential' | 'public';
  refreshToken: string;
  jar: CookieJar;
}

/** A request failure a client sees when the server dies: the connection broke, nothing else. */
const isConnectionFailure = (e: unknown) =>
  e instanceof TypeError && /fetch failed|terminated|other side closed|socket/i.test(`${e.message} ${String((e as { cause?: Error }).cause ?? '')}`);

async function publicExchange(url: string, code: string, verifier: string) {
  const res = await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'authorization_code', client_id: 'interactive.public', code, redirect_uri: PUBLIC_REDIRECT, code_verifier: verifier }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** One flow; consent is remembered for the public client. Returns what the client now holds. */
async function oneFlow(url: string, kind: Committed['kind']): Promise<Committed> {
  if (kind === 'confidential') {
    const flow = await authorizeWithLogin(url);
    const tok = await exchangeCode(url, flow.code, flow.verifier);
    if (tok.status !== 200) throw new Error(`token: HTTP ${tok.status} ${JSON.stringify(tok.body)}`);
    return { kind, refreshToken: tok.body.refresh_token, jar: flow.jar };
  }
  const flow = await authorizeWithLogin(url, { clientId: 'interactive.public', redirectUri: PUBLIC_REDIRECT, username: 'bob', password: 'bob' });
  const tok = await publicExchange(url, flow.code, flow.verifier);
  if (tok.status !== 200) throw new Error(`token: HTTP ${tok.status} ${JSON.stringify(tok.body)}`);
  return { kind, refreshToken: tok.body.refresh_token, jar: flow.jar };
}

function refresh(url: string, c: Committed) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body: Record<string, string> = { grant_type: 'refresh_token', refresh_token: c.refreshToken };
  if (c.kind === 'confidential') headers.authorization = basic('interactive.confidential', 'secret');
  else body.client_id = 'interactive.public';
  return fetch(`${url}/connect/token`, { method: 'POST', headers, body: form(body) });
}

/** prompt=none for the public client: answers a code only if the SSO session and the remembered consent survived. */
async function silentAuthorize(url: string, jar: CookieJar): Promise<URL> {
  const q = new URLSearchParams({
    client_id: 'interactive.public',
    redirect_uri: PUBLIC_REDIRECT,
    response_type: 'code',
    scope: 'openid profile offline_access',
    state: 's',
    prompt: 'none',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  const res = await jar.fetch(`${url}/connect/authorize?${q}`);
  return new URL(res.headers.get('location')!);
}

const kids = async (url: string) =>
  ((await (await fetch(`${url}/.well-known/openid-configuration/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

function crashTest(name: string, store: () => Record<string, unknown>) {
  it(`${name}: SIGKILL under load loses nothing committed; in-flight requests completed or failed cleanly`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = demoConfig();
    config.server = { issuer: url, dataDir: dir, logLevel: 'warn' };
    config.store = store();
    config.keys = { keyEncryptionKey: randomBytes(32).toString('base64') };
    const file = join(dir, 'gatehouse.json');
    writeFileSync(file, JSON.stringify(config));
    let gh: GatehouseProcess | undefined = await startGatehouseProcess({ config: file, port });
    try {
      const keysBefore = await kids(url);
      const committed: Committed[] = [];
      const unclean: string[] = [];
      let cleanFailures = 0;
      let stop = false;
      const loops = Array.from({ length: 6 }, async (_, i) => {
        const kind = i % 2 ? 'public' : 'confidential';
        while (!stop) {
          try {
            committed.push(await oneFlow(url, kind));
          } catch (e) {
            if (isConnectionFailure(e)) cleanFailures++;
            else unclean.push(String(e));
          }
        }
      });
      // Load until at least a few flows of each kind committed, then kill mid-flight.
      while (committed.filter((c) => c.kind === 'public').length < 3 || committed.filter((c) => c.kind === 'confidential').length < 3) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      const snapshot = committed.length;
      const killed = gh.kill('SIGKILL');
      stop = true;
      await killed;
      gh = undefined;
      await Promise.all(loops);
      expect(unclean).toEqual([]);
      expect(cleanFailures).toBeGreaterThan(0); // requests really were in flight at the kill
      expect(committed.length).toBeGreaterThanOrEqual(snapshot);

      gh = await startGatehouseProcess({ config: file, port });
      // Keys: the same signing key still published (tokens issued before verify).
      expect(await kids(url)).toEqual(keysBefore);
      // Grants: every refresh token a client received still works.
      const refreshed = await Promise.all(committed.map(async (c) => (await refresh(url, c)).status));
      expect(refreshed).toEqual(committed.map(() => 200));
      // Sessions and consents: silent re-authorization still answers a code.
      for (const c of committed.filter((x) => x.kind === 'public')) {
        const back = await silentAuthorize(url, c.jar);
        expect(back.searchParams.get('error')).toBeNull();
        expect(back.searchParams.get('code')).toBeTruthy();
      }
    } finally {
      await gh?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
}

describe('crash under load', () => {
  crashTest('sqlite', () => ({ type: 'sqlite' }));

  describe.skipIf(!!noPg)('on PostgreSQL', () => {
    let pg: PostgresServer;
    beforeAll(async () => {
      pg = await startPostgres();
    }, 60_000);
    afterAll(() => pg?.destroy());
    crashTest('postgres', () => ({ type: 'postgres', url: pg.createDatabase(`crash_${Date.now()}`) }));
  });
});
