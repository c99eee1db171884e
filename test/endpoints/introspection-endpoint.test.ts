/** RFC 7662 token introspection through the HTTP handler. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { addM2mClient, introspectAsApi, m2mToken, post } from './helpers.js';

const SHA_SECRET = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

describe('introspection endpoint', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        addM2mClient(c, { clientId: 'm2m.other', clientSecrets: [{ value: SHA_SECRET }] });
        addM2mClient(c, { clientId: 'm2m.ref', clientSecrets: [{ value: SHA_SECRET }], accessTokenType: 'reference' });
        (c.apiScopes as unknown[]).push({ name: 'billing' });
        (c.apiResources as unknown[]).push({ name: 'billing-api', scopes: ['billing'], apiSecrets: [{ value: SHA_SECRET }] });
      },
    });
  });
  afterAll(() => s.close());
  const introspect = (tok: string | undefined, headers: Record<string, string>, extra: Record<string, string> = {}) =>
    post(s.url, '/connect/introspect', tok === undefined ? extra : { token: tok, ...extra }, headers);

  it('answers an API resource about a token for it (Basic), with the token claims', async () => {
    const tok = await m2mToken(s.url);
    const r = await introspectAsApi(s.url, tok);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ active: true, token_type: 'Bearer', client_id: 'm2m', sub: 'm2m', aud: 'api', scope: 'api', iss: s.url });
    for (const claim of ['exp', 'iat', 'nbf', 'jti']) expect(r.body[claim], claim).toBeDefined();
  });

  it('accepts the API resource credentials in the body too', async () => {
    const tok = await m2mToken(s.url);
    const r = await introspect(tok, {}, { client_id: 'api', client_secret: 'secret' });
    expect(r.body.active).toBe(true);
  });

  it('answers a client about its own token', async () => {
    const tok = await m2mToken(s.url);
    const r = await introspect(tok, { authorization: basic('m2m', 'secret') });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ active: true, client_id: 'm2m' });
  });

  it("says active false to a client asking about another client's token", async () => {
    const tok = await m2mToken(s.url);
    const r = await introspect(tok, { authorization: basic('m2m.other', 'secret') });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ active: false });
  });

  it('says active false to an API resource that is not the audience', async () => {
    const tok = await m2mToken(s.url);
    const r = await introspect(tok, { authorization: basic('billing-api', 'secret') });
    expect(r.body).toEqual({ active: false });
  });

  it('introspects reference tokens', async () => {
    const tok = await m2mToken(s.url, {}, 'm2m.ref');
    expect((await introspectAsApi(s.url, tok)).body).toMatchObject({ active: true, client_id: 'm2m.ref', aud: 'api' });
    expect((await introspectAsApi(s.url, tok, { token_type_hint: 'refresh_token' })).body.active).toBe(true);
  });

  it('says active false once a token expired (JWT and reference)', async () => {
    const jwt = await m2mToken(s.url);
    const ref = await m2mToken(s.url, {}, 'm2m.ref');
    s.clock.advance(3601);
    try {
      expect((await introspectAsApi(s.url, jwt)).body).toEqual({ active: false });
      expect((await introspectAsApi(s.url, ref)).body).toEqual({ active: false });
    } finally {
      s.clock.advance(-3601);
    }
    expect((await introspectAsApi(s.url, jwt)).body.active).toBe(true);
  });

  it('says active false for garbage and for tokens that are not ours', async () => {
    const alien = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    for (const garbage of ['x', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.', alien, 'ü'.repeat(300), '%%%']) {
      const r = await introspectAsApi(s.url, garbage);
      expect(r.status, garbage).toBe(200);
      expect(r.body, garbage).toEqual({ active: false });
    }
  });

  it('says active false for a JWT with a tampered payload', async () => {
    const tok = await m2mToken(s.url);
    const [h, , sig] = tok.split('.');
    const payload = Buffer.from(JSON.stringify({ iss: s.url, sub: 'm2m', aud: 'api', client_id: 'm2m', exp: s.clock.now() + 999 })).toString('base64url');
    expect((await introspectAsApi(s.url, `${h}.${payload}.${sig}`)).body).toEqual({ active: false });
  });

  it('answers invalid_request without a token (RFC 7662 §2.1: token is REQUIRED)', async () => {
    const r = await introspect(undefined, { authorization: basic('api', 'secret') });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });

  it('answers 401 invalid_client to callers with bad or no credentials (RFC 7662 §2.3)', async () => {
    const tok = await m2mToken(s.url);
    for (const headers of [{ authorization: basic('api', 'wrong') }, { authorization: basic('nobody', 'secret') }, {}] as Record<string, string>[]) {
      const r = await introspect(tok, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error).toBe('invalid_client');
      expect(r.headers.get('www-authenticate')).toBeTruthy();
    }
  });

  it('refuses a secret together with a client assertion (RFC 6749 §2.3: one method per request)', async () => {
    const tok = await m2mToken(s.url);
    const assertion = { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'a.b.c' };
    const viaBasic = await introspect(tok, { authorization: basic('api', 'secret') }, assertion);
    expect(viaBasic.status).toBe(400);
    expect(viaBasic.body.error).toBe('invalid_request');
    const viaPost = await introspect(tok, {}, { client_id: 'api', client_secret: 'secret', ...assertion });
    expect(viaPost.status).toBe(400);
    expect(viaPost.body.error).toBe('invalid_request');
  });

  it('refuses public clients (RFC 7662 §2.1: the caller must be authorized)', async () => {
    const tok = await m2mToken(s.url);
    const r = await introspect(tok, {}, { client_id: 'interactive.public' });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });

  it('refuses GET (405) and a repeated token parameter', async () => {
    const get = await fetch(`${s.url}/connect/introspect`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const tok = await m2mToken(s.url);
    const r = await post(s.url, '/connect/introspect', { token: [tok, tok] }, { authorization: basic('api', 'secret') });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});
