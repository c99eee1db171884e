/**
 * The UserService: configured test users first, then the SQL user table,
 * behind one login with a soft lockout per username and client address, a
 * per-username ceiling (the rate limiter's `loginPerUsername`) and one
 * generic failure. Every password check is one argon2id verification:
 * test users' plain passwords are hashed at startup, unknown usernames verify
 * against a dummy hash (no enumeration by timing).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Clock, LoginResult, User, UserService } from '../model/types.js';
import type { Backend, StoredUser } from '../stores/types.js';
import type { RateLimiter } from '../ratelimit/rate-limiter.js';
import { createLockout } from './lockout.js';
import { lockoutStore } from '../stores/typed/lockouts.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hash.js';
import { compileTestUsers } from './test-users.js';
import type { UserStore } from '../extensions/user-store.js';

const MAX_USERNAME = 255;
const MAX_PASSWORD = 4096;
const INVALID: LoginResult = Object.freeze({ ok: false, reason: 'invalid_credentials' });

const toUser = (u: User): User => ({ subjectId: u.subjectId, username: u.username, isActive: u.isActive, claims: { ...u.claims } });
const storedToUser = (u: StoredUser): User => toUser(u);

/**
 * Creates the user service of one provider.
 *
 * @example
 * const users = createUserService({ config, backend, clock: systemClock, limiter });
 * const result = await users.login('alice', 'secret', req.ip);
 * if (result.ok) startSession(result.user.subjectId);
 */
export function createUserService(deps: { config: Config; backend: Backend; clock: Clock; limiter?: RateLimiter; store?: UserStore }): UserService {
  const { backend, clock, limiter } = deps;
  const testUsers = compileTestUsers(deps.config.users);
  const { lockoutThreshold, lockoutDuration, lockoutMaxDuration } = deps.config.authentication;
  const lockout = createLockout(lockoutStore(backend.records), { threshold: lockoutThreshold, duration: lockoutDuration, maxDuration: lockoutMaxDuration });
  /** Attempts per username run one at a time on this node, so parallel guesses cannot skip the count. */
  const gates = new Map<string, Promise<unknown>>();
  // Made at startup after the test users' hashes (one at a time: one argon2 buffer at once), so the
  // first unknown username costs what every other attempt does.
  const dummyHash: Promise<string> = testUsers.ready.then(() => hashPassword(randomBytes(24).toString('base64url'))).catch(() => '');

  /** Spends the time of a real argon2 verification, so a missing user looks like a wrong password. */
  const burnVerify = async (password: string) => {
    await verifyPassword(await dummyHash, password.slice(0, MAX_PASSWORD));
  };

  const authenticate = async (username: string, password: string): Promise<User | undefined> => {
    if (username.length > MAX_USERNAME || password.length > MAX_PASSWORD) {
      await burnVerify(password);
      return undefined;
    }
    const testUser = testUsers.findByUsername(username);
    if (testUser) return (await testUser.verify(password)) ? toUser(testUser) : undefined;
    const stored = await backend.users.findByUsername(username);
    if (!stored) {
      await burnVerify(password);
      return undefined;
    }
    if (!(await verifyPassword(stored.passwordHash, password))) return undefined;
    // A migrated PBKDF2 hash (Keycloak import) is replaced by argon2id once the password is known.
    // A failed rewrite keeps the old hash (tried again at the next sign-in) and does not fail this one.
    if (needsRehash(stored.passwordHash)) {
      await hashPassword(password)
        .then((passwordHash) => backend.users.update(stored.subjectId, { passwordHash, updatedAt: clock.now() }))
        .catch(() => false);
    }
    return storedToUser(stored);
  };

  const attempt = async (username: string, password: string, address: string | undefined): Promise<LoginResult> => {
    // While this address is held back even the right password is refused, without spending
    // a hash; another address (the account's owner) is not affected.
    const { lockedFor, recorded } = await lockout.status(username, address, clock.now());
    if (lockedFor > 0) return { ok: false, reason: 'locked_out', retryAfter: lockedFor };
    // The username's ceiling across addresses counts only attempts the lockout lets through.
    const wait = limiter ? await limiter.loginUsername(username) : 0;
    if (wait > 0) return { ok: false, reason: 'rate_limited', retryAfter: wait };
    const user = await store.validateCredentials(username, password);
    if (!user) {
      const lockedNow = await lockout.recordFailure(username, address, clock.now());
      return lockedNow > 0 ? { ok: false, reason: 'locked_out', retryAfter: lockedNow } : INVALID;
    }
    // Nothing to forget when no failure was recorded (attempts per username are serialized
    // on this node; a failure another node records meanwhile is kept, which is the stricter outcome).
    if (recorded) await lockout.reset(username, address);
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

  const findByUsername = async (username: string): Promise<User | undefined> => {
    if (username.length > MAX_USERNAME) return undefined;
    const testUser = testUsers.findByUsername(username);
    if (testUser) return toUser(testUser);
    const stored = await backend.users.findByUsername(username);
    return stored && storedToUser(stored);
  };

  /** Gatehouse's own users (configured test users, then the SQL table): the user store unless the host brings one. */
  const builtIn: UserStore = {
    findBySubject,
    findByUsername,
    validateCredentials: authenticate,
    // Account self-service writes the SQL user table; configured test users stay as configured.
    async createUser(u) {
      if (testUsers.findByUsername(u.username)) return undefined;
      const now = clock.now();
      const stored: StoredUser = {
        subjectId: randomUUID(),
        username: u.username,
        passwordHash: u.passwordHash,
        claims: { ...u.claims },
        isActive: true,
        createdAt: now,
        updatedAt: now,
      };
      return (await backend.users.insert(stored)) ? storedToUser(stored) : undefined;
    },
    setPasswordHash: async (subjectId, passwordHash) =>
      !testUsers.findBySubject(subjectId) && backend.users.update(subjectId, { passwordHash, updatedAt: clock.now() }),
    deleteUser: async (subjectId) => !testUsers.findBySubject(subjectId) && backend.users.delete(subjectId),
  };
  const store = deps.store ?? builtIn;

  return {
    async login(username, password, address) {
      if (typeof username !== 'string' || typeof password !== 'string' || username === '') return INVALID;
      // Lockout, serialization and the generic failure apply to a host's store too.
      return serialized(username.toLowerCase(), () => attempt(username, password, address));
    },
    async recordFailure(username, address) {
      if (typeof username !== 'string' || username === '') return 0;
      return serialized(username.toLowerCase(), async () => {
        const ceiling = limiter ? await limiter.loginUsername(username) : 0;
        const locked = await lockout.recordFailure(username, address, clock.now());
        return Math.max(ceiling, locked);
      });
    },
    lockedFor: (username, address) => lockout.lockedFor(username, address, clock.now()),
    findBySubject: (subjectId) => store.findBySubject(subjectId),
    findByUsername: (username) => store.findByUsername(username),
    isActive: async (subjectId) => (store.isActive ? store.isActive(subjectId) : ((await store.findBySubject(subjectId))?.isActive ?? false)),
    store,
  };
}
