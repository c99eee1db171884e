/**
 * A body that cannot be read (over the size limit) is answered on the
 * route's channel, with the failure's status: the token endpoint answers
 * OAuth JSON, userinfo an RFC 6750 challenge, and page endpoints (authorize,
 * end session, the login form) their HTML error page. Found by the
 * negative-input sweep (test/conformance/negative-sweep.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const big = `state=${'x'.repeat(9000)}`;
const post = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: big } as const;

describe('413 on the route channel', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, bodyLimit: 8192 }) });
  });
  afterAll(() => s.close());

  const answers = (via: 'node' | 'fetch') => (path: string) =>
    via === 'node' ? fetch(`${s.url}${path}`, post) : s.gh.fetch(new Request(`${s.url}${path}`, post));

  for (const via of ['node', 'fetch'] as const) {
    const send = answers(via);
    it(`${via}: page endpoints show the error page`, async () => {
      for (const path of ['/connect/authorize', '/connect/endsession', '/ui/login']) {
        const res = await send(path);
        expect(res.status, path).toBe(413);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
        const html = await res.text();
        expect(html).toMatch(/<html/);
        expect(html).toContain('request body too large');
      }
    });

    it(`${via}: the token endpoint answers OAuth JSON`, async () => {
      const res = await send('/connect/token');
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'request body too large' });
    });

    it(`${via}: userinfo answers with a Bearer challenge`, async () => {
      const res = await send('/connect/userinfo');
      expect(res.status).toBe(413);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_request"/);
    });
  }
});
