/**
 * Reference points, not Gatehouse measurements: the smallest node:http servers
 * that do only the unavoidable work of a scenario. Their rate, as a share of
 * the same ceiling, is the most any Node server reaches on this machine for
 * that scenario; a target above it cannot be met by any implementation here.
 *
 * FLOOR (environment) picks what one request does:
 * - `sign` (SIGNS=n, default 1): reads a POST body, makes n RS256 signatures
 *   (node:crypto, synchronous, 2048-bit key) and answers a ~1 KB JSON body.
 *   SIGNS=1 is a client_credentials grant, SIGNS=2 a refresh grant or the
 *   token request of a flow (ID token + JWT access token), SIGNS=0 one
 *   more POST exchange.
 * - `page`: answers a GET with a ~2 KB HTML page (a login form).
 * - `redirect`: reads a POST form body and answers 303 with a Location (a login form post).
 * - `userinfo`: finds the Bearer token in a map of verified tokens, reads its
 *   jti from a SQLite table in WAL mode (the durable revocation check, one
 *   prepared point query) and answers the claims as JSON with the same
 *   response headers as Gatehouse's userinfo.
 *
 * READS=m and WRITES=n (environment, default 0) add durable storage to
 * `sign`, `page` and `redirect`: per request, m prepared point reads and n
 * commits, each an INSERT of a ~600-byte record in its own transaction, into
 * a SQLite database in WAL mode (synchronous=NORMAL) with the columns and
 * indexes of Gatehouse's records table, checkpointed by Gatehouse's worker
 * thread (dist/stores/sqlite-checkpointer.js): what a grant that must
 * survive a restart (a single-use code, a rotated refresh token) cannot do without.
 *
 * @example
 * FLOOR=sign SIGNS=2 PORT=7002 taskset -c 0 node bench/floor-server.mjs &
 * taskset -c 1 wrk -t1 -c32 -d5s -s bench/wrk.lua http://127.0.0.1:7002/
 */
import http from 'node:http';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const floor = process.env.FLOOR ?? 'sign';
const port = Number(process.env.PORT ?? 7002);

const API_HEADERS = (len) => [
  'x-content-type-options',
  'nosniff',
  'x-request-id',
  randomUUID(),
  'content-type',
  'application/json; charset=utf-8',
  'cache-control',
  'no-store',
  'pragma',
  'no-cache',
  'content-security-policy',
  "default-src 'none'; frame-ancestors 'none'",
  'content-length',
  String(len),
];

/** Reads and discards the body, then calls `done`. */
const afterBody = (req, done) => {
  req.resume();
  req.on('end', done);
};

/** A records table like Gatehouse's (stores/migrations), in WAL mode, in a temporary folder. */
async function openRecords() {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-floor-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'floor.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoints off the request path, as Gatehouse does (its checkpoint worker, built in dist/).
  const { startCheckpointer } = await import('../dist/stores/sqlite-checkpointer.js');
  startCheckpointer(db, file, 250);
  db.exec(`CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, subject_id TEXT, session_id TEXT, client_id TEXT, grant_id TEXT,
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, consumed_at INTEGER, payload TEXT NOT NULL, PRIMARY KEY (kind, id));
    CREATE INDEX records_expires_at_idx ON records (expires_at);
    CREATE INDEX records_grant_id_idx ON records (grant_id) WHERE grant_id IS NOT NULL;
    CREATE INDEX records_session_id_idx ON records (session_id) WHERE session_id IS NOT NULL;
    CREATE INDEX records_subject_client_idx ON records (subject_id, client_id) WHERE subject_id IS NOT NULL;`);
  return db;
}

/** The storage work READS / WRITES ask for, as a function run once per request (a no-op without them). */
async function storageWork() {
  const reads = Number(process.env.READS ?? 0);
  const writes = Number(process.env.WRITES ?? 0);
  if (reads === 0 && writes === 0) return () => {};
  const db = await openRecords();
  const find = db.prepare('SELECT * FROM records WHERE kind = ? AND id = ?');
  const insert = db.prepare('INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)');
  const payload = JSON.stringify({ scopes: ['openid', 'profile', 'email', 'api', 'offline_access'], claims: 'c'.repeat(480) });
  const now = Math.floor(Date.now() / 1000);
  return () => {
    for (let i = 0; i < reads; i++) find.get('refresh_token', randomUUID());
    for (let i = 0; i < writes; i++) insert.run('refresh_token', randomUUID(), '1', randomUUID(), 'client', randomUUID(), now, now + 3600, payload);
  };
}
const store = await storageWork();

function signHandler() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const payload = Buffer.from('x'.repeat(350));
  const body = Buffer.from(JSON.stringify({ access_token: 'x'.repeat(900), token_type: 'Bearer', expires_in: 3600, scope: 'api' }));
  const signs = Number(process.env.SIGNS ?? 1);
  return (req, res) =>
    afterBody(req, () => {
      store();
      for (let i = 0; i < signs; i++) sign('sha256', payload, privateKey);
      res.writeHead(200, API_HEADERS(body.length));
      res.end(body);
    });
}

function pageHandler() {
  const html = Buffer.from(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main>${'<p>sign in</p>'.repeat(120)}<form method="post" action="/login"><input name="csrf" value="${'c'.repeat(43)}"></form></main></body></html>`,
  );
  return (req, res) =>
    afterBody(req, () => {
      store();
      res.writeHead(200, [
        'content-type',
        'text/html; charset=utf-8',
        'cache-control',
        'no-store',
        'x-request-id',
        randomUUID(),
        'content-length',
        String(html.length),
      ]);
      res.end(html);
    });
}

function redirectHandler() {
  const location = `http://localhost:3000/callback?code=${'c'.repeat(43)}&state=abcdefgh&iss=http%3A%2F%2F127.0.0.1`;
  return (req, res) =>
    afterBody(req, () => {
      store();
      res.writeHead(303, ['location', location, 'cache-control', 'no-store', 'x-request-id', randomUUID(), 'content-length', '0']);
      res.end();
    });
}

async function userinfoHandler() {
  const db = await openRecords();
  const insert = db.prepare("INSERT INTO records (kind, id, created_at, expires_at, payload) VALUES (?, ?, 0, 4102444800, '{}')");
  for (let i = 0; i < 1000; i++) insert.run('revoked_jti', `revoked-${i}`);
  const find = db.prepare('SELECT * FROM records WHERE kind = ? AND id = ?');
  const claims = {
    name: 'Alice Smith',
    family_name: 'Smith',
    given_name: 'Alice',
    website: 'http://alice.example.com',
    email: 'AliceSmith@example.com',
    email_verified: true,
  };
  // Any Bearer token is "verified" on first sight: the floor skips the signature check, as a cache hit does.
  const verified = new Map();
  return (req, res) => {
    const auth = req.headers.authorization ?? '';
    let entry = verified.get(auth);
    if (!entry) verified.set(auth, (entry = { claims, jti: randomUUID() }));
    const revoked = find.get('revoked_jti', entry.jti);
    const body = JSON.stringify(revoked ? { error: 'invalid_token' } : { ...entry.claims, sub: '1' });
    res.writeHead(revoked ? 401 : 200, [...API_HEADERS(Buffer.byteLength(body)), 'vary', 'Origin']);
    res.end(body);
  };
}

const handlers = { sign: signHandler, page: pageHandler, redirect: redirectHandler, userinfo: userinfoHandler };
if (!handlers[floor]) throw new Error(`unknown FLOOR ${floor}`);
const handle = await handlers[floor]();
http
  .createServer((req, res) => (req.url === '/health' ? res.end('ok') : handle(req, res)))
  .listen(port, '127.0.0.1', () => process.stderr.write(`floor server ${floor} listening on ${port}\n`));
process.on('SIGTERM', () => process.exit(0));
