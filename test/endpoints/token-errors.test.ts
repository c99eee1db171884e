/**
 * GitHub issue 2: every malformed or refused token request gets the RFC's
 * error and status (RFC 6749 §5.2, RFC 8707 §2), never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, token, type Answer } from './helpers.js';

const SHA_SECRET = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

function expectError(r: Answer, status: number, error: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.body.error, r.text).toBe(error);
  expect(r.body.error_description).toBeTypeOf('string');
  expect(r.headers.get('cache-control')).toBe('no-store');
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
}

function expectInvalidClient(r: Answer) {
  expectError(r, 401, 'invalid_client');
  // RFC 6749 §5.2: 401 with a WWW-Authenticate challenge.
  expect(r.headers.get('www-authenticate')).toMatch(/^Basic /);
}

describe('token endpoint errors', () => {
  let s: TestServer;
  const m2m = { authorization: basic('m2m', 'secret') };
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        (c.apiScopes as unknown[]).push({ name: 'admin' });
        (c.apiResources as unknown[]).push({ name: 'admin-api', scopes: ['admin'] });
        addM2mClient(c, { clientId: 'off', enabled: false, clientSecrets: [{ value: SHA_SECRET }] });
        addM2mClient(c, { clientId: 'old', clientSecrets: [{ value: SHA_SECRET, expiration: '2020-01-01T00:00:00Z' }] });
      },
    });
  });
  afterAll(() => s.close());

  describe('malformed requests: invalid_request (RFC 6749 §5.2)', () => {
    it('missing grant_type', async () => {
      expectError(await token(s.url, { scope: 'api' }, m2m), 400, 'invalid_request');
    });

    it('empty grant_type counts as missing (RFC 6749 §3.1)', async () => {
      expectError(await token(s.url, { grant_type: '' }, m2m), 400, 'invalid_request');
    });

    it('duplicated grant_type or scope (RFC 6749 §3.2)', async () => {
      expectError(await token(s.url, { grant_type: ['client_credentials', 'client_credentials'] }, m2m), 400, 'invalid_request');
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: ['api', 'api'] }, m2m), 400, 'invalid_request');
    });

    it('duplicated client credentials in the body', async () => {
      const r = await token(s.url, { grant_type: 'client_credentials', client_id: ['m2m', 'm2m'], client_secret: 'secret' });
      expectError(r, 400, 'invalid_request');
    });

    it('oversized parameters', async () => {
      expectError(await token(s.url, { grant_type: 'x'.repeat(300) }, m2m), 400, 'invalid_request');
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: 'a'.repeat(5000) }, m2m), 400, 'invalid_request');
    });

    it('any parameter over server.parameterLimit, even one no handler reads', async () => {
      expectError(await token(s.url, { grant_type: 'client_credentials', junk: 'x'.repeat(5000) }, m2m), 400, 'invalid_request');
      expectError(await token(s.url, { grant_type: 'client_credentials', ['k'.repeat(5000)]: '1' }, m2m), 400, 'invalid_request');
      expectError(await token(s.url, { grant_type: 'client_credentials', constructor: 'x'.repeat(5000) }, m2m), 400, 'invalid_request');
      expectError(await token(s.url, { grant_type: 'client_credentials', resource: ['api', 'x'.repeat(5000)] }, m2m), 400, 'invalid_request');
      expect((await token(s.url, { grant_type: 'client_credentials', junk: 'x'.repeat(4000) }, m2m)).status).toBe(200);
    });

    it('parameters in the query string', async () => {
      const res = await fetch(`${s.url}/connect/token?grant_type=client_credentials`, {
        method: 'POST',
        headers: { ...m2m, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('wrong content type', async () => {
      const res = await fetch(`${s.url}/connect/token`, {
        method: 'POST',
        headers: { ...m2m, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials' }),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    });

    it('wrong method: 405 with Allow', async () => {
      const res = await fetch(`${s.url}/connect/token`);
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    });

    it('malformed Basic headers', async () => {
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      for (const authorization of ['Basic', 'Basic !!!', `Basic ${b64('no-colon')}`, `Basic ${b64('%zz:secret')}`, `Basic ${b64(':secret')}`]) {
        const r = await token(s.url, { grant_type: 'client_credentials' }, { authorization });
        // RFC 6749 §5.2: "...or is otherwise malformed" is invalid_request.
        expectError(r, 400, 'invalid_request');
      }
    });

    it('credentials both in the header and the body (RFC 6749 §2.3)', async () => {
      const r = await token(s.url, { grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'secret' }, m2m);
      expectError(r, 400, 'invalid_request');
    });
  });

  describe('client authentication failures: 401 invalid_client with WWW-Authenticate', () => {
    it('no credentials at all', async () => {
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials' }));
    });

    it('unknown client', async () => {
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('nobody', 'secret') }));
    });

    it('disabled client', async () => {
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('off', 'secret') }));
    });

    it('expired secret', async () => {
      const r = await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('old', 'secret') });
      expectInvalidClient(r);
    });

    it('wrong secret, by Basic and by post', async () => {
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'wrong') }));
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials', client_id: 'm2m', client_secret: 'wrong' }));
    });

    it('a client_id in the body naming another client than the Basic header', async () => {
      expectInvalidClient(await token(s.url, { grant_type: 'client_credentials', client_id: 'interactive.confidential' }, m2m));
    });

    it('unknown, disabled and wrong-secret answers are indistinguishable', async () => {
      const answers = await Promise.all([
        token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('nobody', 'secret') }),
        token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('off', 'secret') }),
        token(s.url, { grant_type: 'client_credentials' }, { authorization: basic('m2m', 'wrong') }),
      ]);
      expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    });
  });

  describe('grant and scope errors', () => {
    it('unsupported grant type', async () => {
      expectError(await token(s.url, { grant_type: 'urn:example:unknown' }, m2m), 400, 'unsupported_grant_type');
    });

    it('a grant type the client is not allowed: unauthorized_client', async () => {
      expectError(
        await token(s.url, { grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://localhost:3000/callback' }, m2m),
        400,
        'unauthorized_client',
      );
      const conf = { authorization: basic('interactive.confidential', 'secret') };
      expectError(await token(s.url, { grant_type: 'client_credentials' }, conf), 400, 'unauthorized_client');
    });

    it('unknown scope: invalid_scope', async () => {
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: 'api nope' }, m2m), 400, 'invalid_scope');
    });

    it('a scope not allowed for the client: invalid_scope', async () => {
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: 'admin' }, m2m), 400, 'invalid_scope');
    });

    it('identity scopes with client_credentials: invalid_scope', async () => {
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: 'openid' }, m2m), 400, 'invalid_scope');
      expectError(await token(s.url, { grant_type: 'client_credentials', scope: 'offline_access' }, m2m), 400, 'invalid_scope');
    });

    it('unknown resource: invalid_target', async () => {
      expectError(await token(s.url, { grant_type: 'client_credentials', resource: 'https://nowhere.example' }, m2m), 400, 'invalid_target');
    });
  });
});
