/**
 * The demo's `ciba` client against `gatehouse start --config config/demo.json`
 * (the CLI as `npm start` runs it, SQLite), as docs/ciba.md tells a reader to
 * try it: the backchannel request with client_secret_basic, bob approving on
 * the home page, the token request. The default notifier's log line names
 * ids only, never the auth_req_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { cibaPoll, cibaRequest, decideOnHomePage, jwtClaims, signedInBrowser } from '../helpers/ciba.js';

describe('demo server: CIBA with the ciba client', () => {
  let gh: CliServer;
  beforeAll(async () => {
    gh = await startCliServer();
  }, 60_000);
  afterAll(() => gh?.close());

  it('bob approves a poll-mode request on the home page; the client gets tokens', async () => {
    const meta = (await (await fetch(`${gh.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta.backchannel_authentication_endpoint).toBe(`${gh.url}/connect/ciba`);

    const bob = await signedInBrowser(gh.url, 'bob');
    const start = await cibaRequest(gh.url, { scope: 'openid profile email api', login_hint: 'bob', binding_message: 'TV 4711' });
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ expires_in: 300, interval: 5 });
    const id = start.body.auth_req_id as string;
    expect((await cibaPoll(gh.url, id)).body.error).toBe('authorization_pending');

    await decideOnHomePage(gh.url, bob, 'TV 4711', 'approve');
    // Once the user decided, the next poll gets the result at once.
    const r = await cibaPoll(gh.url, id);
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('openid profile email api');
    expect(jwtClaims(r.body.id_token as string)).toMatchObject({ iss: gh.url, sub: '2', aud: 'ciba' });
    expect(jwtClaims(r.body.access_token as string)).toMatchObject({ sub: '2', aud: 'api', client_id: 'ciba' });

    const line = gh
      .output()
      .split('\n')
      .find((l) => l.includes('CIBA request waits for the user'));
    expect(line).toContain('"subjectId":"2"');
    expect(gh.output()).not.toContain(id);
    expect(gh.output()).not.toContain('TV 4711');
  });
});
