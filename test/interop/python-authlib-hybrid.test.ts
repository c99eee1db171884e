/**
 * Interop: a server-side relying party written with Authlib (Debian's
 * python3-authlib) runs the hybrid flow (`code id_token token`, form_post,
 * PKCE) as `interactive.confidential.hybrid` against `gatehouse start` on the
 * demo config: Authlib's HybridIDToken validates nonce, c_hash and at_hash,
 * then the code is exchanged and both access tokens read userinfo. This test
 * plays the user's browser and hands the posted form to the client.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { PYTHON, requirePrograms } from '../helpers/requirements.js';
import { Rp } from '../conformance/rp.js';

const SCRIPT = new URL('./python/authlib_hybrid_rp.py', import.meta.url).pathname;

const unavailable = requirePrograms(['python3-authlib']);

describe.skipIf(!!unavailable)('Python Authlib relying party, hybrid flow', () => {
  let gh: CliServer;
  beforeAll(async () => {
    gh = await startCliServer();
  });
  afterAll(() => gh?.close());

  it('code id_token token with form_post as alice: hash claims validated by Authlib, code exchanged, userinfo', async () => {
    const child = spawn(PYTHON, [SCRIPT, gh.url], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    try {
      const first = JSON.parse(String((await lines.next()).value)) as { authorization_url?: string; error?: string; message?: string };
      expect(first.error, `${first.message} ${stderr}`).toBeUndefined();
      const url = new URL(first.authorization_url!);
      expect(url.origin + url.pathname).toBe(`${gh.url}/connect/authorize`);
      expect(url.searchParams.get('response_type')).toBe('code id_token token');
      expect(url.searchParams.get('response_mode')).toBe('form_post');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');

      // The browser: sign in, then the auto-submitting form to the client's redirect URI.
      const browser = await new Rp(gh.url).init();
      const outcome = await browser.authorize(Object.fromEntries(url.searchParams));
      expect(outcome.pages).toEqual(['login']);
      expect(outcome.via).toBe('form_post');
      child.stdin.write(`${JSON.stringify(Object.fromEntries(outcome.params!))}\n`);

      const result = JSON.parse(String((await lines.next()).value)) as Record<string, any>;
      expect(result.error, `${result.message} ${stderr}`).toBeUndefined();
      expect(await exited).toBe(0);
      const front = result.front_channel;
      expect(front.token_type).toBe('Bearer');
      expect(front.id_token_claims).toMatchObject({ iss: gh.url, sub: '1', aud: 'interactive.confidential.hybrid' });
      expect(front.id_token_claims.c_hash).toBeTypeOf('string');
      expect(front.id_token_claims.at_hash).toBeTypeOf('string');
      expect(result.token_endpoint.id_token_claims).toMatchObject({ iss: gh.url, sub: '1' });
      expect(result.token_endpoint.has_refresh_token).toBe(false);
      expect(result.userinfo_front).toMatchObject({ sub: '1', name: 'Alice Smith', email: 'AliceSmith@example.com' });
      expect(result.userinfo_back).toMatchObject({ sub: '1', name: 'Alice Smith' });
    } finally {
      if (child.exitCode === null) child.kill();
    }
  });
});
