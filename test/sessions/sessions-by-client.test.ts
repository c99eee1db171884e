/**
 * Session queries by client are exact however many sessions a client has
 * (they used to read at most the store's 1,000-record page): more than 1,000
 * sessions of one client on the memory and SQLite stores, queried and ended
 * through `gh.sessions`, beside sessions signed in over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createSqliteBackend } from '../../src/stores/sqlite.js';
import type { Backend } from '../../src/stores/types.js';
import { beginSession, saveSession } from '../../src/sessions/session-service.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { rpClient, signInClient, startRelyingParty, withClients, type RelyingParty } from './logout-helpers.js';

const SEEDED = 1_203;

const backends: [string, (dir: string) => Promise<Backend>][] = [
  ['memory', async () => createMemoryBackend()],
  ['sqlite', (dir) => createSqliteBackend({ path: join(dir, 'gh.db') })],
];

describe.each(backends)('sessions of a client beyond 1,000 (%s)', (_name, open) => {
  let rp: RelyingParty;
  let s: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'gh-sessions-by-client-'));
  beforeAll(async () => {
    rp = await startRelyingParty();
    const noLogout = { frontChannelLogoutUri: undefined, backChannelLogoutUri: undefined };
    s = await startTestServer({
      mutate: withClients([rpClient(rp.url, 'many', noLogout), rpClient(rp.url, 'other', noLogout)]),
      options: { backend: await open(dir) },
    });
    // Sessions stored by the session service, as a sign-in stores them: most list
    // app.many (some also app.other), every 10th only app.other.
    const ctx = s.gh.context;
    for (let i = 0; i < SEEDED; i++) {
      const { session } = await beginSession(ctx, { cookies: {} }, { subjectId: `u${i}`, authTime: ctx.clock.now(), amr: ['pwd'], remember: false });
      session.payload.clients.push(...(i % 10 === 9 ? ['app.other'] : i % 3 ? ['app.many'] : ['app.many', 'app.other']));
      await saveSession(ctx, session);
    }
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await rp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('query by client finds every session, by client and subject one, and a revoked client no more', async () => {
    // Two more through the real sign-in: alice in two browsers.
    await signInClient(s.url, rp.url, new CookieJar(), 'many');
    await signInClient(s.url, rp.url, new CookieJar(), 'many');
    const seededMany = Array.from({ length: SEEDED }, (_, i) => i).filter((i) => i % 10 !== 9).length;
    const many = await s.gh.sessions.query({ clientId: 'app.many' });
    expect(many.length).toBe(seededMany + 2);
    expect(many.length).toBeGreaterThan(1000);
    expect(new Set(many.map((x) => x.sid)).size).toBe(many.length);
    expect(many.every((x) => x.clients.some((c) => c.clientId === 'app.many'))).toBe(true);
    expect((await s.gh.sessions.query({ clientId: 'app.other' })).length).toBe(
      Array.from({ length: SEEDED }, (_, i) => i).filter((i) => i % 10 === 9 || i % 3 === 0).length,
    );
    expect(await s.gh.sessions.query({ clientId: 'app.many', subjectId: 'u4' })).toHaveLength(1);
    expect(await s.gh.sessions.query({ clientId: 'app.many', subjectId: '1' })).toHaveLength(2);
    expect(await s.gh.sessions.query({ clientId: 'app.many', subjectId: 'u9' })).toHaveLength(0);
    // The user revokes the client: that session is no longer one of the client's.
    await s.gh.sessions.revokeClientGrant('u4', 'app.many');
    expect((await s.gh.sessions.query({ clientId: 'app.many' })).length).toBe(seededMany + 1);
    expect(await s.gh.sessions.query({ subjectId: 'u4' })).toHaveLength(1);
  }, 60_000);

  it('ending the sessions of a client ends all of them, and only them', async () => {
    const before = (await s.gh.sessions.query({ clientId: 'app.many' })).length;
    const ended = await s.gh.sessions.end({ clientId: 'app.many' });
    expect(ended.length).toBe(before);
    expect(await s.gh.sessions.query({ clientId: 'app.many' })).toEqual([]);
    // Sessions of the other client alone are still there.
    expect((await s.gh.sessions.query({ clientId: 'app.other' })).length).toBe(Array.from({ length: SEEDED }, (_, i) => i).filter((i) => i % 10 === 9).length);
  }, 120_000);
});
