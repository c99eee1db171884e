/**
 * examples/express, run as its README runs it (`node examples/express/server.mjs`
 * against the build): openid-client signs the host's user in (code + PKCE,
 * the login form driven over HTTP) and sees the host's `department` claim in
 * the ID token, at userinfo and, through the host's protected `/api` routes
 * (gatehouse/resource-server), in the access token.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { CookieJar, form } from '../helpers/server.js';
import { field, loginAction, signInThroughLoginPage } from '../helpers/login-page-flow.js';
import { freePort } from '../helpers/ports.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const REDIRECT = 'http://localhost:3000/callback';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The example imports 'gatehouse' (the build): build it when missing or older than src/. */
function ensureBuild(): void {
  const built = join(ROOT, 'dist/index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const tsc = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`npm run build failed:\n${tsc.stdout}${tsc.stderr}`);
}

async function startExample(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['examples/express/server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Express example listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${String(code)}:\n${out}`));
    });
  });
  return child;
}

describe('examples/express: own SQLite users and a custom profile service', () => {
  let child: ChildProcess | undefined;
  let base: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    ensureBuild();
    const port = await freePort();
    base = `http://localhost:${port}`;
    child = await startExample(port);
    config = await oidc.discovery(new URL(base), 'express.web', 'express-secret', undefined, { execute: [oidc.allowInsecureRequests] });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child!.once('exit', () => resolve());
        child!.kill('SIGTERM');
      });
    }
  });

  it("serves the host's own routes beside Gatehouse's", async () => {
    const home = (await (await fetch(`${base}/`)).json()) as { issuer: string };
    expect(home.issuer).toBe(base);
    expect(config.serverMetadata().issuer).toBe(base);
    expect((await fetch(`${base}/no-such-page`)).status).toBe(404);
  });

  it('signs in a user of the host table and carries the department claim in the ID token and userinfo', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email api offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await signInThroughLoginPage(url, 'ada@example.com', 'ada-password', REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: 'u-1001', iss: base, name: 'Ada Lovelace', email: 'ada@example.com', department: 'Engineering' });

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: 'u-1001', name: 'Ada Lovelace', department: 'Engineering' });
  });

  it("protects the host's /api routes with the resource-server middleware; the access token carries the department its API asks for", async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid api',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await signInThroughLoginPage(url, 'ada@example.com', 'ada-password', REDIRECT);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

    // The `api` resource lists `department` in its userClaims: the profile service puts it into the access
    // token even without the profile scope (the ID token and userinfo get it with `profile` only).
    const me = await fetch(`${base}/api/me`, bearer(tokens.access_token));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ subject: 'u-1001', department: 'Engineering', scopes: ['openid', 'api'] });
    expect(tokens.claims()).not.toHaveProperty('department');
    const viaClient = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${base}/api/me`), 'GET');
    expect(viaClient.status).toBe(200);

    const anonymous = await fetch(`${base}/api/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');

    const forged = await fetch(`${base}/api/me`, bearer(`${tokens.access_token.slice(0, -2)}AA`));
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);

    const admin = await fetch(`${base}/api/admin`, bearer(tokens.access_token));
    expect(admin.status).toBe(403);
    expect(admin.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="api.admin"/);
    expect(await admin.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('answers a wrong password and an unknown email of the host table alike, with the generic message', async () => {
    const attempt = async (username: string) => {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const jar = new CookieJar();
      const loginUrl = new URL((await jar.fetch(url.href)).headers.get('location')!, url);
      const page = await (await jar.fetch(loginUrl.href)).text();
      const res = await jar.fetch(new URL(loginAction(page)!, loginUrl).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: field(page, 'csrf')!, username, password: 'wrong' }),
      });
      return { status: res.status, text: await res.text() };
    };
    const wrong = await attempt('ada@example.com');
    const unknown = await attempt('nobody@example.com');
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.text).toMatch(/Invalid username or password/);
    expect(unknown.text).toMatch(/Invalid username or password/);
  });
});
