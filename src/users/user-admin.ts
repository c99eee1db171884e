/** Administration of the SQL user table (used by `gatehouse users`). */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../model/types.js';
import type { Backend, StoredUser } from '../stores/types.js';
import { clearLockout } from './lockout.js';
import { lockoutStore } from '../stores/typed/lockouts.js';
import { hashPassword } from './password-hash.js';

export interface NewUser {
  username: string;
  password: string;
  /** Default: a random UUID. */
  subjectId?: string;
  claims?: Record<string, unknown>;
  /** Default true. */
  isActive?: boolean;
}

/** Thrown for a refused administration request; `message` is meant for the operator. */
export class UserAdminError extends Error {
  override readonly name = 'UserAdminError';
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new UserAdminError('the password must not be empty');
  if (password.length > 4096) throw new UserAdminError('the password is longer than 4096 characters');
}

/**
 * Adds a user with an argon2id password hash.
 *
 * @example
 * const alice = await addUser(backend, { username: 'alice', password: 's3cret', claims: { email: 'alice@example.com' } });
 * alice.subjectId; // a random UUID
 */
export async function addUser(backend: Backend, user: NewUser, clock: Clock = systemClock): Promise<StoredUser> {
  const username = user.username.trim();
  if (username.length === 0 || username.length > 255) throw new UserAdminError('the username must have 1 to 255 characters');
  checkPassword(user.password);
  const subjectId = user.subjectId ?? randomUUID();
  if (subjectId.length === 0 || subjectId.length > 255) throw new UserAdminError('the subject id must have 1 to 255 characters');
  if (await backend.users.findByUsername(username)) throw new UserAdminError(`a user named "${username}" already exists`);
  if (await backend.users.findBySubject(subjectId)) throw new UserAdminError(`a user with subject "${subjectId}" already exists`);
  const now = clock.now();
  const stored: StoredUser = {
    subjectId,
    username,
    passwordHash: await hashPassword(user.password),
    claims: { ...user.claims },
    isActive: user.isActive ?? true,
    createdAt: now,
    updatedAt: now,
  };
  // The table's unique constraints decide a race between two adders.
  if (!(await backend.users.insert(stored))) throw new UserAdminError(`a user named "${username}" or with subject "${subjectId}" already exists`);
  return stored;
}

/**
 * Replaces a user's password and clears any login lockout of the username.
 *
 * @example
 * await setPassword(backend, 'alice', 'new secret');
 */
export async function setPassword(backend: Backend, username: string, password: string, clock: Clock = systemClock): Promise<void> {
  checkPassword(password);
  const user = await backend.users.findByUsername(username);
  if (!user) throw new UserAdminError(`no user named "${username}"`);
  const passwordHash = await hashPassword(password);
  if (!(await backend.users.update(user.subjectId, { passwordHash, updatedAt: clock.now() }))) {
    throw new UserAdminError(`no user named "${username}"`);
  }
  await clearLockout(lockoutStore(backend.records), username);
}
