/**
 * The host's own user table (better-sqlite3), with its own password hashing
 * (scrypt): Gatehouse never sees this schema, only the UserStore below.
 */
import Database from 'better-sqlite3';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt);

async function hash(password) {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32);
  return `${salt.toString('base64')}:${key.toString('base64')}`;
}

async function verify(stored, password) {
  const [salt, key] = stored.split(':').map((part) => Buffer.from(part, 'base64'));
  const derived = await scryptAsync(password, salt, 32);
  return timingSafeEqual(derived, key);
}

/** Opens (or creates) the users database and seeds one user when it is empty. */
export async function openUsersDb(path = ':memory:') {
  const db = new Database(path);
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    department TEXT,
    active INTEGER NOT NULL DEFAULT 1
  )`);
  if (db.prepare('SELECT COUNT(*) AS n FROM users').get().n === 0) {
    db.prepare('INSERT INTO users (id, email, password_hash, name, department) VALUES (?, ?, ?, ?, ?)').run(
      'u-1001',
      'ada@example.com',
      await hash('ada-password'),
      'Ada Lovelace',
      'Engineering',
    );
  }
  return db;
}

/** A user row as Gatehouse's User: subjectId, username, isActive, claims. */
const toUser = (row) =>
  row && { subjectId: row.id, username: row.email, isActive: row.active === 1, claims: { name: row.name, email: row.email, email_verified: true } };

/**
 * The UserStore over the table: Gatehouse's login page, grants and userinfo
 * find users here; lockout and rate limits stay Gatehouse's.
 */
export function sqliteUserStore(db) {
  const bySubject = db.prepare('SELECT * FROM users WHERE id = ?');
  const byEmail = db.prepare('SELECT * FROM users WHERE email = ?');
  const dummy = hash(randomBytes(12).toString('hex'));
  return {
    findBySubject: async (sub) => toUser(bySubject.get(sub)),
    findByUsername: async (email) => toUser(byEmail.get(email.toLowerCase())),
    async validateCredentials(email, password) {
      const row = byEmail.get(email.toLowerCase());
      // Unknown users cost one scrypt too, so timing does not reveal which emails exist.
      if (!row) return void (await verify(await dummy, password));
      return (await verify(row.password_hash, password)) ? toUser(row) : undefined;
    },
  };
}

/** The host's department lookup, used by the profile service. */
export function departmentOf(db, sub) {
  return db.prepare('SELECT department FROM users WHERE id = ?').get(sub)?.department ?? undefined;
}
