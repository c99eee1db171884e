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
