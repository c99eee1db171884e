/**
 * Back-Channel Logout 1.0 delivery: retries after a 5xx, a timeout per POST,
 * an unreachable endpoint; none of them holds up or breaks the logout, and
 * each final failure is logged and emitted as an event.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLog, rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('back-channel logout delivery', () => {
  let rp: RelyingParty;
  let s: TestServer;
  const log = eventLog();
  beforeAll(async () => {
    rp = await startRelyingParty();
    const dead = `http://127.0.0.1:${await closedPort()}/bc`;
    s = await startTestServer({
      mutate: withClients(
        [
          rpClient(rp.url, 'flaky', { frontChannelLogoutUri: undefined }),
          rpClient(rp.url, 'slow', { frontChannelLogoutUri: undefined }),
          rpClient(rp.url, 'refuses', { frontChannelLogoutUri: undefined }),
          rpClient(rp.url, 'down', { frontChannelLogoutUri: undefined, backChannelLogoutUri: dead }),
        ],
        { backChannelLogoutTimeout: 1, backChannelLogoutRetries: 1 },
      ),
      options: { events: log.sink },
    });
  });
  afterAll(async () => {
    await s?.close();
    await rp?.close();
  });

  const signOut = async (jar: CookieJar, idToken: string, name: string) =>
    jar.fetch(`${s.url}/connect/endsession?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: `${rp.url}/bye/${name}` })}`);

  it('a 503 is retried; the second attempt succeeds with a fresh token', async () => {
    rp.script.set('/bc/flaky', [503, 200]);
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'flaky');
    expect((await signOut(jar, t.idToken, 'flaky')).status).toBe(303);
    await s.gh.sessions.idle();
    const posts = rp.received.filter((r) => r.path === '/bc/flaky');
    expect(posts).toHaveLength(2);
    expect(posts[0].body.get('logout_token')).not.toBe(posts[1].body.get('logout_token'));
    const sent = log.ofType('back_channel_logout_sent').find((e) => e.clientId === 'app.flaky')!;
    expect(sent.detail).toMatchObject({ attempts: 2, status: 200 });
  });

  it('an endpoint that never answers: the user is redirected while the POST still hangs; it times out, is retried, and fails as an event', async () => {
    rp.script.set('/bc/slow', ['hang', 'hang']);
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'slow');
    const res = await signOut(jar, t.idToken, 'slow');
    // The redirect came back although the relying party has not answered the logout POST.
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${rp.url}/bye/slow`);
    expect(log.ofType('back_channel_logout_failed').some((e) => e.clientId === 'app.slow')).toBe(false);
    await s.gh.sessions.idle();
    expect(rp.received.filter((r) => r.path === '/bc/slow')).toHaveLength(2);
    const failed = log.ofType('back_channel_logout_failed').find((e) => e.clientId === 'app.slow')!;
    expect(failed.detail).toMatchObject({ reason: 'timeout', uri: `${rp.url}/bc/slow` });
    for (const h of rp.hanging.splice(0)) h.destroy();
  });

  it('a 400 (the RP refused the token) is not retried', async () => {
    rp.script.set('/bc/refuses', [400]);
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'refuses');
    expect((await signOut(jar, t.idToken, 'refuses')).status).toBe(303);
    await s.gh.sessions.idle();
    expect(rp.received.filter((r) => r.path === '/bc/refuses')).toHaveLength(1);
    expect(log.ofType('back_channel_logout_failed').find((e) => e.clientId === 'app.refuses')!.detail).toMatchObject({ reason: 'HTTP 400' });
  });

  it('an unreachable endpoint does not break the logout', async () => {
    const jar = new CookieJar();
    const t = await signInClient(s.url, rp.url, jar, 'down');
    const res = await signOut(jar, t.idToken, 'down');
    expect(res.status).toBe(303);
    expect(jar.cookies.has('gh.session')).toBe(false);
    await s.gh.sessions.idle();
    const failed = log.ofType('back_channel_logout_failed').find((e) => e.clientId === 'app.down')!;
    expect(String(failed.detail?.reason)).toMatch(/^network error/);
    // The event names neither the token nor anything secret.
    expect(JSON.stringify(failed)).not.toContain('eyJ');
  });
});
