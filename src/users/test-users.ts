/**
 * Configured test users (`config.users`, like IdentityServer's TestUser),
 * compiled into lookup maps once. A plain `password` is compared in constant
 * time through SHA-256 digests; a `passwordHash` is verified with argon2.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { TestUserConfig } from '../config/schema.js';
import type { User } from '../model/types.js';
import { verifyPassword } from './password-hash.js';

/** A test user ready for login. */
export interface TestUser extends User {
  /** Checks a password against the configured password or hash. */
  verify(password: string): Promise<boolean>;
}

export interface TestUserDirectory {
  findByUsername(username: string): TestUser | undefined;
  findBySubject(subjectId: string): TestUser | undefined;
  all(): readonly TestUser[];
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

function compile(u: TestUserConfig): TestUser {
  const digest = u.password !== undefined ? sha256(u.password) : undefined;
  const encoded = u.passwordHash;
  return {
    subjectId: u.subjectId,
    username: u.username,
    isActive: u.isActive,
    claims: { ...u.claims },
    // Equal-length digests, so timingSafeEqual never throws and length does not leak.
    verify: async (password) =>
      digest ? timingSafeEqual(digest, sha256(password)) : verifyPassword(encoded ?? '', password),
  };
}

/**
 * Compiles configured test users; the first of duplicate usernames or subjects wins.
 *
 * @example
 * const users = compileTestUsers(config.users);
 * const alice = users.findByUsername('alice');
 * if (alice && (await alice.verify(password))) { ... }
 */
export function compileTestUsers(users: readonly TestUserConfig[]): TestUserDirectory {
  const list = users.map(compile);
  const byUsername = new Map<string, TestUser>();
  const bySubject = new Map<string, TestUser>();
  for (const u of list) {
    if (!byUsername.has(u.username)) byUsername.set(u.username, u);
    if (!bySubject.has(u.subjectId)) bySubject.set(u.subjectId, u);
  }
  return {
    findByUsername: (username) => byUsername.get(username),
    findBySubject: (subjectId) => bySubject.get(subjectId),
    all: () => list,
  };
}
