/**
 * Store writes of the interactive flow: what each step must write (and no
 * more), so a sign-in stays cheap without losing single use or durability.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { SessionPayload } from '../../src/sessions/session-record.js';
import { SESSION_COOKIE } from '../../src/sessions/session-service.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend, OperationalStore } from '../../src/stores/types.js';
import { handleId } from '../../src/tokens/handles.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, postLogin, startAt } from './interaction-helpers.js';

/** A memory backend that logs every write to the operational store. */
function countingBackend(): { backend: Backend; writes: string[] } {
  const inner = createMemoryBackend();
  const r = inner.records;
  const writes: string[] = [];
  const records: OperationalStore = {
    put: (rec) => (writes.push(`put ${rec.kind}`), r.put(rec)),
    insertIfAbsent: (rec, now) => (writes.push(`insertIfAbsent ${rec.kind}`), r.insertIfAbsent(rec, now)),
    find: (kind, id) => r.find(kind, id),
    findMany: (kind, f) => r.findMany(kind, f),
    consume: (kind, id, now) => (writes.push(`consume ${kind}`), r.consume(kind, id, now)),
    delete: (kind, id) => (writes.push(`delete ${kind}`), r.delete(kind, id)),
    deleteByGrantId: (g) => (writes.push('deleteByGrantId'), r.deleteByGrantId(g)),
    deleteBySubject: (s, f) => (writes.push('deleteBySubject'), r.deleteBySubject(s, f)),
    deleteBySession: (s, f) => (writes.push('deleteBySession'), r.deleteBySession(s, f)),
    purgeExpired: (now) => r.purgeExpired(now),
    // A batch is logged as one entry: the writes that land in one transaction.
    writeAll: (ws) => (writes.push(`batch(${ws.map((w) => ('put' in w ? `put ${w.put.kind}` : `delete ${w.delete.kind}`)).join(', ')})`), r.writeAll(ws)),
  };
  return { backend: { ...inner, records, close: () => inner.close() }, writes };
}

let s: TestServer | undefined;
afterEach(async () => s?.close());

async function start(mutate?: (c: ConfigInput) => void) {
  const { backend, writes } = countingBackend();
  s = await startTestServer({ options: { backend }, mutate });
  return { s, writes, records: backend.records };
}

const storedSession = async (records: OperationalStore, jar: { cookies: Map<string, string> }) =>
  records.find<SessionPayload>('session', handleId(jar.cookies.get(SESSION_COOKIE)!));

describe('store writes of the authorization code flow', () => {
  it('signs in with 6 writes (interaction, code, interaction delete, one session write, consume, refresh token) and rotates with 2', async () => {
    const { s, writes, records } = await start();
    const flow = await authorizeWithLogin(s.url);
    // The login POST continues the flow itself: the interaction is not stored again in between,
    // and the code, the end of the interaction and the new session are one transaction.
    expect(writes).toEqual(['put interaction', 'batch(put authorization_code, delete interaction, put session)']);
    // The session is stored before the answer, with the client that got the code (for logout).
    const session = await storedSession(records, flow.jar);
    expect(session?.payload.clients).toEqual(['interactive.confidential']);
    expect(session?.expiresAt).toBe(s.clock.now() + 36000);

    writes.length = 0;
    const tok = await exchangeCode(s.url, flow.code, flow.verifier);
    expect(tok.status).toBe(200);
    expect(writes).toEqual(['consume authorization_code', 'put refresh_token']);

    // A rotation: the old token consumed, the new one stored with the access token issued with it.
    writes.length = 0;
    const rotated = await fetch(`${s.url}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('interactive.confidential:secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tok.body.refresh_token }).toString(),
    });
    expect(rotated.status).toBe(200);
    expect(writes).toEqual(['consume refresh_token', 'put refresh_token']);
  });

  it('an SSO flow writes only the code; the session slides once 5% of its lifetime has passed', async () => {
    const { s, writes, records } = await start();
    const first = await authorizeWithLogin(s.url);
    const expiresAt = (await storedSession(records, first.jar))!.expiresAt;
    writes.length = 0;
    s.clock.advance(60);
    const again = await authorizeWithLogin(s.url, { jar: first.jar });
    expect(again.code).not.toBe('');
    expect(writes).toEqual(['put authorization_code']);
    expect((await storedSession(records, first.jar))!.expiresAt).toBe(expiresAt);

    writes.length = 0;
    s.clock.advance(36000 * 0.05); // now the expiry would move by more than 5% of the lifetime
    await authorizeWithLogin(s.url, { jar: first.jar });
    expect(writes).toEqual(['batch(put authorization_code, put session)']);
    expect((await storedSession(records, first.jar))!.expiresAt).toBe(s.clock.now() + 36000);
  });

  it('a client new to the session is recorded at once', async () => {
    const { s, writes, records } = await start((c) => {
      const conf = c.clients!.find((x) => x.clientId === 'interactive.confidential')!;
      c.clients!.push({ ...conf, clientId: 'second.app', clientName: 'Second' });
    });
    const first = await authorizeWithLogin(s.url);
    writes.length = 0;
    await authorizeWithLogin(s.url, { jar: first.jar, clientId: 'second.app' });
    expect(writes).toEqual(['batch(put authorization_code, put session)']);
    expect((await storedSession(records, first.jar))!.payload.clients).toEqual(['interactive.confidential', 'second.app']);
  });

  it('with a consent page the session is stored at login and the client is added when it gets the code', async () => {
    const { s, records } = await start();
    const flow = await authorizeWithLogin(s.url, { clientId: 'interactive.public', redirectUri: 'http://localhost:3000/spa/callback' });
    expect(flow.code).not.toBe('');
    expect((await storedSession(records, flow.jar))!.payload.clients).toEqual(['interactive.public']);
    const denied = await authorizeWithLogin(s.url, {
      clientId: 'interactive.public',
      redirectUri: 'http://localhost:3000/spa/callback',
      params: { prompt: 'consent' },
      consent: false,
    });
    expect(denied.callback.searchParams.get('error')).toBe('access_denied');
  });

  it('a batch that fails stores nothing, sets no session and announces no code', async () => {
    const { backend } = countingBackend();
    backend.records.writeAll = async () => {
      throw new Error('disk full');
    };
    const events: string[] = [];
    s = await startTestServer({ options: { backend, events: (e) => void events.push(e.type) } });
    const jar = new CookieJar();
    const page = await startAt(jar, authorizeUrl(s.url, (await authParams()).params), 'login');
    const res = await postLogin(jar, s.url, page, { username: 'alice', password: 'alice' });
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('location')).toBeNull();
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(events).toContain('user_login_success');
    expect(events).not.toContain('authorization_code_issued');
    expect(await backend.records.findMany('authorization_code')).toEqual([]);
  });
});
