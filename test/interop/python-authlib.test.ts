/**
 * Interop: a Python relying party written with Authlib (Debian's
 * python3-authlib, run by /usr/bin/python3) signs alice in with code + PKCE
 * as the public client, on a loopback redirect of its own, validates the ID
 * token and reads userinfo, against `gatehouse start` on the demo config.
 * This test only plays the user's browser (login and consent pages).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { PYTHON, requirePrograms } from '../helpers/requirements.js';
import { signIn } from './user-agent.js';

const SCRIPT = new URL('./python/authlib_rp.py', import.meta.url).pathname;

const unavailable = requirePrograms(['python3-authlib']);

describe.skipIf(!!unavailable)('Python Authlib relying party', () => {
  let gh: CliServer;
  beforeAll(async () => {
    gh = await startCliServer();
  });
  afterAll(() => gh?.close());

  it('code + PKCE as alice, ID token validated by Authlib, then userinfo', async () => {
    const child = spawn(PYTHON, [SCRIPT, gh.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    try {
      const first = JSON.parse(String((await lines.next()).value)) as { authorization_url?: string; error?: string };
      expect(first.error, stderr).toBeUndefined();
      const url = new URL(first.authorization_url!);
      expect(url.origin + url.pathname).toBe(`${gh.url}/connect/authorize`);
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

      const { callback, pages } = await signIn(url, 'http://127.0.0.1:');
      expect(pages).toEqual(['login', 'consent']);
      // The browser arrives at the app's loopback listener.
      const landed = await fetch(callback);
      expect(landed.status).toBe(200);

      const result = JSON.parse(String((await lines.next()).value)) as Record<string, any>;
      expect(result.error, `${result.message} ${stderr}`).toBeUndefined();
      expect(await exited).toBe(0);
      expect(result.token_type.toLowerCase()).toBe('bearer');
      expect(result.id_token_claims).toMatchObject({ iss: gh.url, sub: '1', aud: 'interactive.public' });
      expect(result.userinfo).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com', email_verified: true });
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
