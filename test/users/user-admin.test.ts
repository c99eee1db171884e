import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { lockoutId } from '../../src/users/lockout.js';
import { verifyPassword } from '../../src/users/password-hash.js';
import { addUser, setPassword } from '../../src/users/user-admin.js';

const clock = { now: () => 5000 };

describe('user administration', () => {
  it('adds a user with an argon2id hash and a random subject by default', async () => {
    const backend = createMemoryBackend();
    const u = await addUser(backend, { username: 'alice', password: 'pw-1', claims: { email: 'a@example.com' } }, clock);
    expect(u.subjectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const stored = await backend.users.findByUsername('alice');
    expect(stored).toEqual({ ...u, isActive: true, createdAt: 5000, updatedAt: 5000, claims: { email: 'a@example.com' } });
    expect(stored!.passwordHash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(stored!.passwordHash, 'pw-1')).toBe(true);
    const b = await addUser(backend, { username: 'bob', password: 'pw', subjectId: 'sub-bob' }, clock);
    expect(b.subjectId).toBe('sub-bob');
  });

  it('rejects duplicates and bad input with clear errors', async () => {
    const backend = createMemoryBackend();
    await addUser(backend, { username: 'alice', password: 'pw', subjectId: 's1' });
    await expect(addUser(backend, { username: 'alice', password: 'pw' })).rejects.toThrow('a user named "alice" already exists');
    await expect(addUser(backend, { username: 'other', password: 'pw', subjectId: 's1' })).rejects.toThrow('a user with subject "s1" already exists');
    await expect(addUser(backend, { username: ' ', password: 'pw' })).rejects.toThrow(/username/);
    await expect(addUser(backend, { username: 'carol', password: '' })).rejects.toThrow(/password/);
  });

  it('sets a new password and clears a lockout', async () => {
    const backend = createMemoryBackend();
    await addUser(backend, { username: 'alice', password: 'old' }, clock);
    await backend.records.put({ kind: 'lockout', id: lockoutId('alice'), createdAt: 1, expiresAt: 9e9, payload: { failures: 9 } });
    await setPassword(backend, 'alice', 'new', { now: () => 6000 });
    const stored = (await backend.users.findByUsername('alice'))!;
    expect(await verifyPassword(stored.passwordHash, 'new')).toBe(true);
    expect(await verifyPassword(stored.passwordHash, 'old')).toBe(false);
    expect(stored.updatedAt).toBe(6000);
    expect(await backend.records.find('lockout', lockoutId('alice'))).toBeUndefined();
    await expect(setPassword(backend, 'nobody', 'x')).rejects.toThrow('no user named "nobody"');
  });
});
