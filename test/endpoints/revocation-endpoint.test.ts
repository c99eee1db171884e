/** RFC 7009 token revocation through the HTTP handler. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend } from '../../src/stores/types.js';
import { handleId } from '../../src/tokens/handles.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, introspectAsApi, m2mToken, post } from './helpers.js';

const SHA_SECRET = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

describe('revocation endpoint', () => {
  let s: TestServer;
  let backend: Backend;
  beforeAll(async () => {
    backend = createMemoryBackend();
    s = await startTestServer({
      mutate: (c) => {
        addM2mClient(c, { clientId: 'm2m.other', clientSecrets: [{ value: SHA_SECRET }] });
        addM2mClient(c, { clientId: 'm2m.ref', clientSecrets: [{ value: SHA_SECRET }], accessTokenType: 'reference' });
      },
      options: { backend },
    });
  });
  afterAll(() => s.close());
  const revoke = (params: Record<string, string | string[]>, id = 'm2m', secret = 'secret') =>
    post(s.url, '/connect/revocation', params, { authorization: basic(id, secret) });

  it('revokes a JWT access token: 200, then introspection says inactive', async () => {
    const tok = await m2mToken(s.url);
    expect((await introspectAsApi(s.url, tok)).body.active).toBe(true);
    const r = await revoke({ token: tok, token_type_hint: 'access_token' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await introspectAsApi(s.url, tok)).body).toEqual({ active: false });
    // Revoking again is still 200 (§2.2).
    expect((await revoke({ token: tok })).status).toBe(200);
  });

  it('revokes a reference token and deletes its record', async () => {
    const tok = await m2mToken(s.url, {}, 'm2m.ref');
    expect(await backend.records.find('reference_token', handleId(tok))).toBeDefined();
    const r = await revoke({ token: tok }, 'm2m.ref');
    expect(r.status).toBe(200);
    expect(await backend.records.find('reference_token', handleId(tok))).toBeUndefined();
    expect((await introspectAsApi(s.url, tok)).body).toEqual({ active: false });
  });

  it('answers 200 for unknown and garbage tokens (§2.2)', async () => {
    for (const tok of ['unknown-token', 'a.b.c', 'x'.repeat(5000)]) {
      const r = await revoke({ token: tok });
      expect(r.status, tok.slice(0, 20)).toBe(200);
    }
  });

  it("answers 200 for another client's token but leaves it active (§2.1: only the client's own tokens)", async () => {
    const tok = await m2mToken(s.url);
    const ref = await m2mToken(s.url, {}, 'm2m.ref');
    expect((await revoke({ token: tok }, 'm2m.other')).status).toBe(200);
    expect((await revoke({ token: ref }, 'm2m.other')).status).toBe(200);
    expect((await introspectAsApi(s.url, tok)).body.active).toBe(true);
    expect((await introspectAsApi(s.url, ref)).body.active).toBe(true);
  });

  it('ignores an unknown token_type_hint (§2.1 "MAY ignore")', async () => {
    const tok = await m2mToken(s.url);
    expect((await revoke({ token: tok, token_type_hint: 'whatever' })).status).toBe(200);
    expect((await introspectAsApi(s.url, tok)).body.active).toBe(false);
  });

  it('answers invalid_request for a token over 8192 characters or an oversized parameter', async () => {
    expect((await revoke({ token: 'x'.repeat(9000) })).body.error).toBe('invalid_request');
    expect((await revoke({ token: 'x', junk: 'y'.repeat(5000) })).body.error).toBe('invalid_request');
  });

  it('answers invalid_request without a token', async () => {
    const r = await revoke({});
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it('answers 401 invalid_client for bad credentials (§2.2.1)', async () => {
    const tok = await m2mToken(s.url);
    const r = await revoke({ token: tok }, 'm2m', 'wrong');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.headers.get('www-authenticate')).toBeTruthy();
    expect((await introspectAsApi(s.url, tok)).body.active).toBe(true);
  });

  it('accepts client_secret_post credentials', async () => {
    const tok = await m2mToken(s.url);
    const r = await post(s.url, '/connect/revocation', { token: tok, client_id: 'm2m', client_secret: 'secret' });
    expect(r.status).toBe(200);
    expect((await introspectAsApi(s.url, tok)).body.active).toBe(false);
  });
});
