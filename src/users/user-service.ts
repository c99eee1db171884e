/**
 * The UserService: configured test users first, then the SQL user table,
 * behind one login with lockout and one generic failure.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Clock, LoginResult, User, UserService } from '../model/types.js';
import type { Backend, StoredUser } from '../stores/types.js';
import { createLockout } from './lockout.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { compileTestUsers } from './test-users.js';

const MAX_USERNAME = 255;
const MAX_PASSWORD = 4096;
const INVALID: LoginResult = Object.freeze({ ok: false, reason: 'invalid_credentials' });

const toUser = (u: User): User => ({ subjectId: u.subjectId, username: u.username, isActive: u.isActive, claims: { ...u.claims } });
const storedToUser = (u: StoredUser): User => toUser(u);

/**
 * Creates the user service of one provider.
 *
 * @example
 * const users = createUserService({ config, backend, clock: systemClock });
 * const result = await users.login('alice', 'secret');
 * if (result.ok) startSession(result.user.subjectId);
 */
export function createUserService(deps: { config: Config; backend: Backend; clock: Clock }): UserService {
  const { backend, clock } = deps;
  const testUsers = compileTestUsers(deps.config.users);
  const { lockoutThreshold, lockoutDuration } = deps.config.authentication;
  const lockout = createLockout(backend.records, { threshold: lockoutThreshold, duration: lockoutDuration });
  /** Attempts per username run one at a time on this node, so parallel guesses cannot skip the count. */
  const gates = new Map<string, Promise<unknown>>();
  let dummyHash: Promise<string> | undefined;

  /** Spends the time of a real argon2 verification, so a missing user looks like a wrong password. */
  const burnVerify = async (password: string) => {
    dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
    await verifyPassword(await dummyHash, password.slice(0, MAX_PASSWORD));
  };

  const authenticate = async (username: string, password: string): Promise<User | undefined> => {
    if (username.length > MAX_USERNAME || password.length > MAX_PASSWORD) return void (await burnVerify(password));
    const testUser = testUsers.findByUsername(username);
    // Test users with a plain password stay fast: a constant-time digest comparison.
    if (testUser) return (await testUser.verify(password)) ? toUser(testUser) : undefined;
    const stored = await backend.users.findByUsername(username);
    if (!stored) return void (await burnVerify(password));
    return (await verifyPassword(stored.passwordHash, password)) ? storedToUser(stored) : undefined;
  };

  const attempt = async (username: string, password: string): Promise<LoginResult> => {
    // While locked out even the right password is refused, without spending a hash.
    const { lockedFor, recorded } = await lockout.status(username, clock.now());
    if (lockedFor > 0) return { ok: false, reason: 'locked_out', retryAfter: lockedFor };
    const user = await authenticate(username, password);
    if (!user) {
      const lockedNow = await lockout.recordFailure(username, clock.now());
      return lockedNow > 0 ? { ok: false, reason: 'locked_out', retryAfter: lockedNow } : INVALID;
    }
    // Nothing to forget when no failure was recorded (attempts per username are serialized
    // on this node; a failure another node records meanwhile is kept, which is the stricter outcome).
    if (recorded) await lockout.reset(username);
    // Only after a correct password, so "inactive" does not reveal that an account exists.
    if (!user.isActive) return { ok: false, reason: 'inactive' };
    return { ok: true, user };
  };

  const serialized = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const run = (gates.get(key) ?? Promise.resolve()).then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    gates.set(key, settled);
    void settled.then(() => gates.get(key) === settled && gates.delete(key));
    return run;
  };

  const findBySubject = async (subjectId: string): Promise<User | undefined> => {
    const testUser = testUsers.findBySubject(subjectId);
    if (testUser) return toUser(testUser);
    const stored = await backend.users.findBySubject(subjectId);
    return stored && storedToUser(stored);
  };

  return {
    async login(username, password) {
      if (typeof username !== 'string' || typeof password !== 'string' || username === '') return INVALID;
      return serialized(username.toLowerCase(), () => attempt(username, password));
    },
    findBySubject,
    isActive: async (subjectId) => (await findBySubject(subjectId))?.isActive ?? false,
  };
}
