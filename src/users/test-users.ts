/**
 * Configured test users (`config.users`, like IdentityServer's TestUser),
 * compiled into lookup maps once. A plain `password` is hashed with argon2id
 * when the users are compiled (once per provider, off the event loop), so
 * every password check costs one argon2 verification: a test user, a SQL
 * user and an unknown username take the same time (no user enumeration by
 * timing, issue 12 §2.4).
 */
import type { TestUserConfig } from '../config/schema.js';
import type { User } from '../model/types.js';
import { hashPassword, verifyPassword } from './password-hash.js';

/** A test user ready for login. */
export interface TestUser extends User {
  /** Checks a password against the configured password or hash (one argon2 verification). */
  verify(password: string): Promise<boolean>;
  /** The argon2id hash checked: the configured `passwordHash`, or the one made from `password`. */
  passwordHash(): Promise<string>;
}

export interface TestUserDirectory {
  /** Settles when every plain password is hashed. */
  ready: Promise<void>;
  findByUsername(username: string): TestUser | undefined;
  findBySubject(subjectId: string): TestUser | undefined;
  all(): readonly TestUser[];
}

function compile(u: TestUserConfig, after: Promise<unknown>): TestUser {
  // A plain password wins over a passwordHash, as it always did. A failed hash ('') verifies nothing.
  const plain = u.password;
  const encoded: Promise<string> = plain !== undefined ? after.then(() => hashPassword(plain)).catch(() => '') : Promise.resolve(u.passwordHash ?? '');
  return {
    subjectId: u.subjectId,
    username: u.username,
    isActive: u.isActive,
    claims: { ...u.claims },
    verify: async (password) => verifyPassword(await encoded, password),
    passwordHash: () => encoded,
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
  // One hash after another: argon2id takes 19 MiB per hash, so startup holds one such buffer at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const list = users.map((u) => {
    const user = compile(u, chain);
    chain = user.passwordHash();
    return user;
  });
  const byUsername = new Map<string, TestUser>();
  const bySubject = new Map<string, TestUser>();
  for (const u of list) {
    if (!byUsername.has(u.username)) byUsername.set(u.username, u);
    if (!bySubject.has(u.subjectId)) bySubject.set(u.subjectId, u);
  }
  return {
    ready: chain.then(() => undefined),
    findByUsername: (username) => byUsername.get(username),
    findBySubject: (subjectId) => bySubject.get(subjectId),
    all: () => list,
  };
}
