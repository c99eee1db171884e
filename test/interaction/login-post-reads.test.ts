/**
 * The built-in login POST loads the interaction and the browser's session
 * once: the page's load is handed to the flow, which does not read them again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend, OperationalStore } from '../../src/stores/types.js';
import { authorizeWithLogin } from '../helpers/flow.js';
import { form, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, authParams, field } from './interaction-helpers.js';

/** A memory backend that counts the reads of each record kind. */
function readCountingBackend(): { backend: Backend; reads: Map<string, number> } {
  const inner = createMemoryBackend();
  const reads = new Map<string, number>();
  const records: OperationalStore = Object.create(inner.records) as OperationalStore;
  records.find = (kind, id) => {
    reads.set(kind, (reads.get(kind) ?? 0) + 1);
    return inner.records.find(kind, id);
  };
  for (const k of [
    'put',
    'insertIfAbsent',
    'findMany',
    'consume',
    'delete',
    'deleteByGrantId',
    'deleteBySubject',
    'deleteBySession',
    'purgeExpired',
    'writeAll',
  ] as const) {
    const f = inner.records[k] as ((...a: unknown[]) => unknown) | undefined;
    if (f) (records as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => f.apply(inner.records, a);
  }
  return { backend: { ...inner, records, close: () => inner.close() }, reads };
}

describe('login POST reads', () => {
  let s: TestServer;
  let reads: Map<string, number>;
  beforeAll(async () => {
    const counting = readCountingBackend();
    reads = counting.reads;
    s = await startTestServer({ options: { backend: counting.backend } });
  });
  afterAll(() => s.close());

  it('reads the interaction once and the signed-in session once', async () => {
    // Signed in already; prompt=login asks again, so the POST has a session to look at.
    const { jar } = await authorizeWithLogin(s.url);
    const { params } = await authParams({ prompt: 'login' });
    const start = await jar.fetch(authorizeUrl(s.url, params));
    expect(start.status).toBe(303);
    const loginUrl = new URL(start.headers.get('location')!, s.url).toString();
    const page = await (await jar.fetch(loginUrl)).text();
    reads.clear();
    const res = await jar.fetch(loginUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf: field(page, 'csrf')!, username: 'alice', password: 'alice' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('code=');
    expect(reads.get('interaction')).toBe(1);
    expect(reads.get('session')).toBe(1);
  });
});
