import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { hashPassword } from '../../src/users/password-hash.js';
import { compileTestUsers } from '../../src/users/test-users.js';

describe('configured test users', () => {
  it('finds users by username and subject and checks plain passwords', async () => {
    const config = configSchema.parse({
      users: [
        { subjectId: '1', username: 'alice', password: 'alice-pw', claims: { name: 'Alice' } },
        { subjectId: '2', username: 'alice', password: 'shadowed' },
      ],
    });
    const users = compileTestUsers(config.users);
    const alice = users.findByUsername('alice')!;
    expect(alice).toMatchObject({ subjectId: '1', username: 'alice', isActive: true, claims: { name: 'Alice' } });
    expect(await alice.verify('alice-pw')).toBe(true);
    expect(await alice.verify('shadowed')).toBe(false);
    expect(await alice.verify('alice-pw\u0000')).toBe(false);
    expect(await alice.verify('')).toBe(false);
    expect(users.findBySubject('2')?.username).toBe('alice');
    expect(users.findByUsername('Alice')).toBeUndefined();
    expect(users.all()).toHaveLength(2);
  });

  it('hashes plain passwords with argon2id once, when compiled (every check costs one argon2 verification)', async () => {
    const config = configSchema.parse({
      users: [
        { subjectId: '1', username: 'alice', password: 'alice-pw' },
        { subjectId: '2', username: 'bob', password: 'bob-pw' },
      ],
    });
    const users = compileTestUsers(config.users);
    await users.ready;
    const alice = users.findByUsername('alice')!;
    const hash = await alice.passwordHash();
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await alice.passwordHash()).toBe(hash); // made once, not per check
    expect(hash).not.toContain('alice-pw');
    expect(await users.findByUsername('bob')!.passwordHash()).not.toBe(hash);
  });

  it('checks passwordHash users with argon2', async () => {
    const config = configSchema.parse({
      users: [{ subjectId: '3', username: 'bob', passwordHash: await hashPassword('bob-pw'), isActive: false }],
    });
    const bob = compileTestUsers(config.users).findByUsername('bob')!;
    expect(bob.isActive).toBe(false);
    expect(await bob.verify('bob-pw')).toBe(true);
    expect(await bob.verify('alice-pw')).toBe(false);
  });
});
