/**
 * The user store: the host's own users (IdentityServer's user store behind
 * its login page). The built-in pages, the authorize flow, the token grants,
 * userinfo and the resource owner password validator look users up here.
 * Gatehouse's own users (configured test users and the SQL user table) are
 * one implementation; lockout, rate limits and the generic failure message
 * stay in Gatehouse and apply to any store.
 */
import type { User } from '../model/types.js';
import type { UserMfaTable } from '../stores/types.js';

/**
 * A host's users.
 *
 * @example
 * const userStore: UserStore = {
 *   findBySubject: async (sub) => rowToUser(db.prepare('SELECT * FROM users WHERE id = ?').get(sub)),
 *   findByUsername: async (name) => rowToUser(db.prepare('SELECT * FROM users WHERE email = ?').get(name)),
 *   async validateCredentials(name, password) {
 *     const row = db.prepare('SELECT * FROM users WHERE email = ?').get(name);
 *     return row && (await verify(row.hash, password)) ? rowToUser(row) : undefined;
 *   },
 * };
 * const gh = await createGatehouse(config, { userStore });
 */
export interface UserStore {
  /** The user with this subject identifier (the `sub` of tokens); undefined when unknown. */
  findBySubject(subjectId: string): Promise<User | undefined>;
  /** The user with this login name; undefined when unknown. */
  findByUsername(username: string): Promise<User | undefined>;
  /**
   * The user when the password is right, else undefined (unknown users too).
   * Spend about the same time in both cases, so timing does not tell which
   * usernames exist. An inactive user with the right password is returned:
   * Gatehouse refuses the login afterwards without revealing the account.
   */
  validateCredentials(username: string, password: string): Promise<User | undefined>;
  /** Whether the user may still sign in and get tokens; default `findBySubject(sub)?.isActive`. */
  isActive?(subjectId: string): Promise<boolean>;
  /**
   * Account self-service (docs/account.md): creates a user from a verified
   * registration; `passwordHash` is an argon2id PHC string. Undefined when the
   * username is taken. Without it, `account.registration` stays off.
   */
  createUser?(user: NewStoreUser): Promise<User | undefined>;
  /** Sets a new password (argon2id PHC string); false when the user cannot change it here. Without it, no password change or reset. */
  setPasswordHash?(subjectId: string, passwordHash: string): Promise<boolean>;
  /** Removes the user; false when unknown. Without it, no account deletion. */
  deleteUser?(subjectId: string): Promise<boolean>;
  /**
   * Optional: where this store keeps its users' multi-factor data (TOTP,
   * recovery codes, passkeys) as one versioned JSON document per subject
   * (docs/mfa.md, docs/extending.md). Default: the backend's `user_mfa` table.
   */
  mfa?: UserMfaTable;
}

/** A user to create from a verified registration. */
export interface NewStoreUser {
  username: string;
  /** argon2id PHC string (`$argon2id$v=19$...`); the plain password is never kept. */
  passwordHash: string;
  claims: Record<string, unknown>;
}
