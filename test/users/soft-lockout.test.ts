/**
 * Soft lockout through the login form (issue 12 §2.9, ASVS V2.2.1): wrong
 * passwords from one address hold back that address for that username, with
 * a readable page, while the account's owner signs in from another address.
 * Clients bind distinct loopback addresses (127.0.0.x) to be distinct IPs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loginFormFrom, postLoginFrom } from '../helpers/from-address.js';

describe('soft lockout per username and address', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(); // the demo configuration: lockoutThreshold 5, lockoutDuration 60 s
  });
  afterAll(() => s.close());

  it('five failures from X: the owner signs in from Y; X gets a readable page with Retry-After, not a 5xx', async () => {
    const X = '127.0.4.1';
    const Y = '127.0.4.2';
    const attacker = await loginFormFrom(s.url, X);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postLoginFrom(attacker, X, 'alice', `guess-${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400]);

    // The right password from X is held back: the login page with its message and the wait.
    const held = await postLoginFrom(attacker, X, 'alice', 'alice');
    expect(held.status).toBe(400);
    expect(held.headers['content-type']).toMatch(/^text\/html/);
    expect(held.body).toContain('name="password"');
    expect(held.body).toMatch(/Try again in/);
    expect(held.headers.location).toBeUndefined();

    // The owner, from Y, signs in and gets a code.
    const owner = await loginFormFrom(s.url, Y);
    const signedIn = await postLoginFrom(owner, Y, 'alice', 'alice');
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toMatch(/^http:\/\/localhost:3000\/callback\?code=/);

    // After the wait X may try again.
    s.clock.advance(61);
    const again = await loginFormFrom(s.url, X);
    expect((await postLoginFrom(again, X, 'alice', 'alice')).status).toBe(303);
  });

  it('bob held back on X does not hold back alice on X', async () => {
    const X = '127.0.4.3';
    const f = await loginFormFrom(s.url, X);
    for (let i = 0; i < 5; i++) await postLoginFrom(f, X, 'bob', `guess-${i}`);
    expect((await postLoginFrom(f, X, 'bob', 'bob')).body).toMatch(/Try again in/);
    const g = await loginFormFrom(s.url, X);
    expect((await postLoginFrom(g, X, 'alice', 'alice')).status).toBe(303);
  });
});

describe('the per-username ceiling (rateLimits.loginPerUsername)', () => {
  it("counts only attempts the lockout lets through: one address hammering a held-back username cannot use up the owner's ceiling", async () => {
    const s = await startTestServer({ mutate: (c) => (c.rateLimits = { loginPerUsername: 8, loginPerIp: 0 }) });
    try {
      const X = '127.0.5.1';
      const f = await loginFormFrom(s.url, X);
      for (let i = 0; i < 30; i++) await postLoginFrom(f, X, 'alice', `guess-${i}`);
      const owner = await loginFormFrom(s.url, '127.0.5.2');
      expect((await postLoginFrom(owner, '127.0.5.2', 'alice', 'alice')).status).toBe(303);
      // Many addresses together reach it: then every address waits (429, Retry-After up to the hour's window).
      for (let i = 0; i < 4; i++) {
        const from = `127.0.5.${10 + i}`;
        await postLoginFrom(await loginFormFrom(s.url, from), from, 'alice', 'wrong');
      }
      const refused = await postLoginFrom(await loginFormFrom(s.url, '127.0.5.2'), '127.0.5.2', 'alice', 'alice');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
      expect(refused.body).toMatch(/Try again in/);
    } finally {
      await s.close();
    }
  });
});
