import { beforeEach, describe, expect, it, vi } from 'vitest';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import type { UserService } from '../../src/model/types.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend } from '../../src/stores/types.js';
import { lockoutId, lockoutSeconds } from '../../src/users/lockout.js';
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js';

// The real argon2id verification, observed: which logins spend one.
vi.mock('../../src/users/password-hash.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/users/password-hash.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
import { addUser } from '../../src/users/user-admin.js';
import { createUserService } from '../../src/users/user-service.js';

const INVALID = { ok: false, reason: 'invalid_credentials' };
const locked = (retryAfter: number) => ({ ok: false, reason: 'locked_out', retryAfter });

describe('user service', () => {
  let backend: Backend;
  let now: number;
  const clock = { now: () => now };
  const service = (extra: Partial<ConfigInput> = {}): UserService =>
    createUserService({
      config: configSchema.parse({
        authentication: { lockoutThreshold: 3, lockoutDuration: 60 },
        users: [
          { subjectId: 'test-1', username: 'tina', password: 'tina-pw', claims: { name: 'Tina' } },
          { subjectId: 'test-2', username: 'tom', password: 'tom-pw', isActive: false },
        ],
        ...extra,
      }),
      backend,
      clock,
    });

  beforeEach(async () => {
    backend = createMemoryBackend();
    now = 1_000_000;
    await addUser(backend, { username: 'sam', password: 'sam-pw', subjectId: 'sql-1', claims: { email: 'sam@example.com' } }, clock);
    await addUser(backend, { username: 'idle', password: 'idle-pw', subjectId: 'sql-2', isActive: false }, clock);
  });

  it('logs in configured test users and SQL users', async () => {
    const users = service();
    expect(await users.login('tina', 'tina-pw')).toEqual({
      ok: true,
      user: { subjectId: 'test-1', username: 'tina', isActive: true, claims: { name: 'Tina' } },
    });
    expect(await users.login('sam', 'sam-pw')).toEqual({
      ok: true,
      user: { subjectId: 'sql-1', username: 'sam', isActive: true, claims: { email: 'sam@example.com' } },
    });
  });

  it('a configured test user shadows a SQL user of the same name', async () => {
    await addUser(backend, { username: 'tina', password: 'sql-pw', subjectId: 'sql-tina' }, clock);
    const users = service();
    expect(await users.login('tina', 'sql-pw')).toEqual(INVALID);
    expect((await users.login('tina', 'tina-pw')).ok).toBe(true);
  });

  it('answers one generic failure for an unknown user and a wrong password', async () => {
    const users = service();
    for (const [u, p] of [
      ['nobody', 'x'],
      ['sam', 'wrong'],
      ['tina', 'wrong'],
      ['', 'x'],
      ['x'.repeat(300), 'x'],
    ]) {
      expect(await users.login(u, p)).toEqual(INVALID);
    }
  });

  it('spends one argon2 verification on every attempt: SQL user, unknown username and plain-password test user alike', async () => {
    const users = service({ authentication: { lockoutThreshold: 1000, lockoutDuration: 60 } });
    const verifications = async (u: string) => {
      vi.mocked(verifyPassword).mockClear();
      expect(await users.login(u, 'wrong')).toEqual(INVALID);
      return vi.mocked(verifyPassword).mock.calls.length;
    };
    expect(await verifications('sam')).toBe(1); // SQL user, wrong password
    expect(await verifications('nobody')).toBe(1); // unknown: the same work, so timing does not tell
    // Configured test user with a plain password: checked against its argon2id hash made at startup,
    // so its wrong password costs what an unknown username does (issue 12 §2.4).
    expect(await verifications('tina')).toBe(1);
    expect(await verifications('nobody')).toBe(1);
  });

  it('holds back only the address that failed: the same username from another address signs in (soft lockout)', async () => {
    const users = service();
    for (let i = 0; i < 2; i++) expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(INVALID);
    expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(locked(60));
    expect(await users.login('sam', 'sam-pw', '192.0.2.1')).toEqual(locked(60)); // that address waits, even with the right password
    expect(await users.lockedFor('sam', '192.0.2.1')).toBe(60);
    expect((await users.login('sam', 'sam-pw', '198.51.100.7')).ok).toBe(true); // the owner elsewhere is not locked out
    expect(await users.lockedFor('sam', '198.51.100.7')).toBe(0);
    expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(locked(59 + 1)); // still waiting (clock unchanged)
    now += 60;
    expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(locked(120)); // progressive: twice as long
    // A failure that is not a password (a second factor) counts the same way.
    now += 120;
    expect(await users.recordFailure('sam', '192.0.2.1')).toBe(240);
    expect(await users.lockedFor('sam', '192.0.2.1')).toBe(240);
    expect(await users.recordFailure('sam', '203.0.113.9')).toBe(0);
  });

  it('caps the wait of one address at lockoutMaxDuration', async () => {
    const users = service({ authentication: { lockoutThreshold: 1, lockoutDuration: 60, lockoutMaxDuration: 100 } });
    expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(locked(60));
    now += 60;
    expect(await users.login('sam', 'bad', '192.0.2.1')).toEqual(locked(100));
  });

  it('locks out after the threshold, doubles per further failure, resets on success', async () => {
    const users = service();
    expect(await users.login('sam', 'bad')).toEqual(INVALID);
    expect(await users.login('SAM', 'bad')).toEqual(INVALID); // counted per lower-cased username
    expect(await users.login('sam', 'bad')).toEqual(locked(60));
    const rec = await backend.records.find<{ failures: number }>('lockout', lockoutId('sam'));
    expect(rec?.payload.failures).toBe(3);

    now += 30;
    expect(await users.login('sam', 'sam-pw')).toEqual(locked(30)); // even the right password
    now += 30; // lockout over; the next failure locks for twice as long
    expect(await users.login('sam', 'bad')).toEqual(locked(120));
    now += 120;
    expect(await users.login('sam', 'bad')).toEqual(locked(240));
    now += 240;
    expect((await users.login('sam', 'sam-pw')).ok).toBe(true);
    expect(await backend.records.find('lockout', lockoutId('sam'))).toBeUndefined();

    expect(await users.login('sam', 'bad')).toEqual(INVALID); // the count started over
    expect(await users.login('sam', 'bad')).toEqual(INVALID);
    expect(await users.login('sam', 'bad')).toEqual(locked(60));
  });

  it('writes nothing to the lockout store for a successful login without earlier failures', async () => {
    const users = service();
    const writes: string[] = [];
    const records = backend.records;
    const { put, delete: del } = records;
    records.put = (rec) => (writes.push(`put ${rec.kind}`), put.call(records, rec));
    records.delete = (kind, id) => (writes.push(`delete ${kind}`), del.call(records, kind, id));
    expect((await users.login('tina', 'tina-pw')).ok).toBe(true);
    expect((await users.login('sam', 'sam-pw')).ok).toBe(true);
    expect(writes).toEqual([]);
    // After a failure the success still clears the count.
    expect(await users.login('sam', 'bad')).toEqual(INVALID);
    expect((await users.login('sam', 'sam-pw')).ok).toBe(true);
    expect(writes).toEqual(['put lockout', 'delete lockout']);
    expect(await backend.records.find('lockout', lockoutId('sam'))).toBeUndefined();
  });

  it('forgets failures a day after the last lockout ended', async () => {
    const users = service();
    await users.login('sam', 'bad');
    await users.login('sam', 'bad');
    now += 86400 + 1;
    expect(await users.login('sam', 'bad')).toEqual(INVALID);
  });

  it('caps the lockout at one day', () => {
    const policy = { threshold: 3, duration: 60 };
    expect([2, 3, 4, 5].map((f) => lockoutSeconds(f, policy))).toEqual([0, 60, 120, 240]);
    expect(lockoutSeconds(14, policy)).toBe(86400);
    expect(lockoutSeconds(5000, policy)).toBe(86400);
  });

  it('locks unknown usernames the same way (no enumeration)', async () => {
    const users = service();
    await users.login('ghost', 'a');
    await users.login('ghost', 'b');
    expect(await users.login('ghost', 'c')).toEqual(locked(60));
  });

  it('counts parallel guesses without losing any', async () => {
    const users = service();
    const results = await Promise.all(Array.from({ length: 8 }, () => users.login('tina', 'bad')));
    expect(results.filter((r) => !r.ok && r.reason === 'invalid_credentials')).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.reason === 'locked_out')).toHaveLength(6);
  });

  it('answers inactive only after a correct password', async () => {
    const users = service();
    expect(await users.login('idle', 'wrong')).toEqual(INVALID);
    expect(await users.login('idle', 'idle-pw')).toEqual({ ok: false, reason: 'inactive' });
    expect(await users.login('tom', 'wrong')).toEqual(INVALID);
    expect(await users.login('tom', 'tom-pw')).toEqual({ ok: false, reason: 'inactive' });
  });

  it('finds users by subject and reports whether they are active', async () => {
    const hashed = await hashPassword('h-pw');
    const users = service({ users: [{ subjectId: 'test-h', username: 'hank', passwordHash: hashed }] });
    expect(await users.findBySubject('test-h')).toEqual({ subjectId: 'test-h', username: 'hank', isActive: true, claims: {} });
    expect(await users.findBySubject('sql-1')).toEqual({ subjectId: 'sql-1', username: 'sam', isActive: true, claims: { email: 'sam@example.com' } });
    expect(await users.findBySubject('nope')).toBeUndefined();
    expect(await users.isActive('sql-1')).toBe(true);
    expect(await users.isActive('sql-2')).toBe(false);
    expect(await users.isActive('nope')).toBe(false);
    expect((await users.login('hank', 'h-pw')).ok).toBe(true);
  });
});
