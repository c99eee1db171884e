/** The user store extension point: a host's own users behind the built-in pages, the grants and userinfo. */
import { afterEach, describe, expect, it } from 'vitest';
import type { User } from '../../src/model/types.js';
import type { UserStore } from '../../src/extensions/user-store.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest, userinfo } from './helpers.js';

/** A host's users in a Map, with a call log. */
function hostUsers() {
  const users = new Map<string, User & { password: string }>([
    ['h-7', { subjectId: 'h-7', username: 'carol', password: 'carol-pw', isActive: true, claims: { name: 'Carol Host', email: 'carol@host.example' } }],
  ]);
  const calls: string[] = [];
  const strip = (u: (User & { password: string }) | undefined): User | undefined =>
    u && { subjectId: u.subjectId, username: u.username, isActive: u.isActive, claims: u.claims };
  const store: UserStore = {
    async findBySubject(sub) {
      calls.push(`findBySubject:${sub}`);
      return strip(users.get(sub));
    },
    async findByUsername(name) {
      calls.push(`findByUsername:${name}`);
      return strip([...users.values()].find((u) => u.username === name));
    },
    async validateCredentials(name, password) {
      calls.push(`validateCredentials:${name}`);
      const u = [...users.values()].find((x) => x.username === name);
      return u && u.password === password ? strip(u) : undefined;
    },
  };
  return { users, calls, store };
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('user store', () => {
  it("signs a host's user in through the built-in pages; tokens and userinfo carry the host's claims", async () => {
    const host = hostUsers();
    s = await startTestServer({ options: { userStore: host.store } });
    const flow = await authorizeWithLogin(s.url, { username: 'carol', password: 'carol-pw' });
    expect(flow.code).not.toBe('');
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    expect(tokens.status).toBe(200);
    expect(claimsOf(tokens.body.id_token).sub).toBe('h-7');
    expect(claimsOf(tokens.body.id_token).name).toBe('Carol Host');
    const info = await userinfo(s.url, tokens.body.access_token);
    expect(info.body).toEqual({ sub: 'h-7', name: 'Carol Host', email: 'carol@host.example' });
    expect(host.calls).toContain('validateCredentials:carol');
    expect(host.calls).toContain('findBySubject:h-7');
  });

  it('replaces the configured test users: alice is unknown to a host store', async () => {
    const host = hostUsers();
    s = await startTestServer({ options: { userStore: host.store } });
    await expect(authorizeWithLogin(s.url, { username: 'alice', password: 'alice' })).rejects.toThrow();
    expect(host.calls).toContain('validateCredentials:alice');
  });

  it("keeps Gatehouse's lockout in front of a host store", async () => {
    const host = hostUsers();
    s = await startTestServer({ options: { userStore: host.store }, mutate: (c) => void (c.authentication = { ...c.authentication, lockoutThreshold: 2 }) });
    const login = (password: string) => s!.gh.context.users.login('carol', password);
    expect((await login('wrong')).ok).toBe(false);
    expect(await login('wrong')).toMatchObject({ ok: false, reason: 'locked_out' });
    // Locked out: the right password is refused without asking the store.
    const before = host.calls.filter((c) => c.startsWith('validateCredentials')).length;
    expect(await login('carol-pw')).toMatchObject({ ok: false, reason: 'locked_out' });
    expect(host.calls.filter((c) => c.startsWith('validateCredentials')).length).toBe(before);
  });

  it('a host user made inactive gets no new tokens: refresh invalid_grant, userinfo 401', async () => {
    const host = hostUsers();
    s = await startTestServer({ options: { userStore: host.store } });
    const flow = await authorizeWithLogin(s.url, { username: 'carol', password: 'carol-pw' });
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    host.users.get('h-7')!.isActive = false;
    const refreshed = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(400);
    expect(refreshed.body.error).toBe('invalid_grant');
    const info = await userinfo(s.url, tokens.body.access_token);
    expect(info.status).toBe(401);
    expect(info.wwwAuthenticate).toMatch(/error="invalid_token"/);
  });

  it("asks the store's optional isActive too", async () => {
    const host = hostUsers();
    const suspended = new Set<string>();
    s = await startTestServer({ options: { userStore: { ...host.store, isActive: async (sub) => !suspended.has(sub) } } });
    const flow = await authorizeWithLogin(s.url, { username: 'carol', password: 'carol-pw' });
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    expect((await userinfo(s.url, tokens.body.access_token)).status).toBe(200);
    suspended.add('h-7');
    expect((await userinfo(s.url, tokens.body.access_token)).status).toBe(401);
    expect(await s.gh.context.users.isActive('h-7')).toBe(false);
  });

  it('exposes the store on the user service (findByUsername of the built-in store too)', async () => {
    s = await startTestServer();
    expect((await s.gh.context.users.findByUsername('alice'))?.subjectId).toBe('1');
    expect(await s.gh.context.users.findByUsername('nobody')).toBeUndefined();
  });
});
