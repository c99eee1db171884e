/**
 * Request objects (RFC 9101, OIDC Core §6) at the authorization and PAR
 * endpoints through real HTTP: signed with the client's registered key or
 * HS256 with a plain-form secret, `alg: none` only where signing is not
 * required, and every refusal the specs name (wrong key, iss, aud, expiry,
 * replayed jti, client_id mismatch) on the error page, never redirected.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompactEncrypt, exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT, exchangeCode } from '../helpers/flow.js';
import { expectErrorPage, expectRedirectError } from '../interaction/interaction-helpers.js';
import { post } from '../endpoints/helpers.js';
import { parseConfig } from '../../src/config/index.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');
const HS_SECRET = 'a-symmetric-secret-of-more-than-32-bytes';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

let s: TestServer;
let byReference: TestServer;
let clientKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  clientKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const base = { allowedGrantTypes: ['authorization_code'], redirectUris: [CONFIDENTIAL_REDIRECT], allowedScopes: ['openid', 'profile'] };
  s = await startTestServer({
    mutate: (c) => {
      c.clients!.push(
        { clientId: 'jar.key', clientSecrets: [{ value: sha256('secret') }], jwks: { keys: [jwk] }, requireSignedRequestObject: true, ...base },
        { clientId: 'jar.hs', clientSecrets: [{ value: HS_SECRET, type: 'SymmetricKey' }], ...base },
      );
    },
  });
  byReference = await startTestServer({ mutate: (c) => void (c.requestObjects = { fetchByReference: true, encryptionKeyAlg: 'RSA-OAEP-256' }) });
});
afterAll(async () => {
  await s?.close();
  await byReference?.close();
});

/** The authorization request's parameters as claims, with iss, aud, iat, exp and a jti unless overridden. */
async function claims(clientId: string, over: JWTPayload = {}): Promise<JWTPayload> {
  const now = s.clock.now();
  const { challenge } = await pkce();
  return {
    iss: clientId,
    aud: s.url,
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    client_id: clientId,
    response_type: 'code',
    redirect_uri: CONFIDENTIAL_REDIRECT,
    scope: 'openid profile',
    state: 'object-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...over,
  };
}
const signed = (payload: JWTPayload, key: CryptoKey | Uint8Array = clientKey, alg = 'ES256', typ = 'oauth-authz-req+jwt') =>
  new SignJWT(payload).setProtectedHeader({ alg, typ, ...(alg === 'ES256' ? { kid: 'k1' } : {}) }).sign(key);
const unsigned = (payload: JWTPayload) => `${b64({ alg: 'none' })}.${b64(payload)}.`;
const hs = (payload: JWTPayload) => signed(payload, new TextEncoder().encode(HS_SECRET), 'HS256');
const authorize = (q: Record<string, string>, server = s) => fetch(`${server.url}/connect/authorize?${new URLSearchParams(q)}`, { redirect: 'manual' });
const toLogin = (res: Response) => {
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toContain('/ui/login');
};

describe('request objects at the authorization endpoint (RFC 9101 §5.1)', () => {
  it('a request object signed with the registered key runs the code flow; only its parameters are used', async () => {
    const { verifier, challenge } = await pkce();
    const request = await signed(await claims('jar.key', { code_challenge: challenge }));
    const flow = await authorizeWithLogin(s.url, { clientId: 'jar.key', params: { request, state: 'outer-state' } });
    expect(flow.callback.searchParams.get('state')).toBe('object-state');
    const tokens = await exchangeCode(s.url, flow.code, verifier, 'jar.key');
    expect([tokens.status, tokens.body.scope]).toEqual([200, 'openid profile']);
  });

  it('HS256 with a secret held in plain form (SymmetricKey); not with a hashed secret', async () => {
    toLogin(await authorize({ client_id: 'jar.hs', request: await hs(await claims('jar.hs')) }));
    const hashedOnly = await signed(await claims('interactive.confidential'), new TextEncoder().encode('secret'), 'HS256');
    await expectErrorPage(await authorize({ client_id: 'interactive.confidential', request: hashedOnly }), 'invalid_request_object');
  });

  it('alg none where signing is not required; refused where it is (and plain parameters too)', async () => {
    toLogin(await authorize({ client_id: 'interactive.confidential', request: unsigned(await claims('interactive.confidential')) }));
    await expectErrorPage(await authorize({ client_id: 'jar.key', request: unsigned(await claims('jar.key')) }), 'invalid_request_object');
    const plain = await claims('jar.key');
    const q = Object.fromEntries(Object.entries(plain).filter(([k]) => !['iss', 'aud', 'iat', 'exp', 'jti'].includes(k))) as Record<string, string>;
    // The plain request's redirect_uri is registered: the refusal goes there.
    expectRedirectError(await authorize(q), { issuer: s.url, error: 'invalid_request', state: 'object-state' });
  });

  it('refuses a wrong key, wrong iss or aud, expiry, a future nbf, a client_id mismatch, a foreign typ; redirected only to a registered outer redirect_uri', async () => {
    const bad: Array<Promise<string>> = [
      signed(await claims('jar.key'), otherKey),
      signed(await claims('jar.key', { iss: 'someone-else' })),
      signed(await claims('jar.key', { aud: 'https://other-server.example' })),
      signed(await claims('jar.key', { exp: s.clock.now() - 120, iat: s.clock.now() - 400 })),
      signed(await claims('jar.key', { nbf: s.clock.now() + 600 })),
      signed(await claims('jar.key', { client_id: 'jar.hs' })),
      signed(await claims('jar.key', { exp: s.clock.now() + 86400 })),
      signed(await claims('jar.key', { redirect_uri: 'https://evil.example/cb' }), otherKey),
      signed(await claims('jar.key'), clientKey, 'ES256', 'dpop+jwt'),
      signed(await claims('jar.key', { request_uri: 'https://client.example/r' })),
    ];
    for (const request of await Promise.all(bad)) {
      await expectErrorPage(await authorize({ client_id: 'jar.key', request }), 'invalid_request_object');
      // Beside a registered redirect_uri (OIDC Core §6.1 duplicates), the error goes there with the outer state.
      const outer = { client_id: 'jar.key', request, redirect_uri: CONFIDENTIAL_REDIRECT, state: 'outer' };
      expectRedirectError(await authorize(outer), { issuer: s.url, error: 'invalid_request_object', state: 'outer' });
      // Beside an unregistered one, on the error page.
      await expectErrorPage(await authorize({ ...outer, redirect_uri: 'https://evil.example/cb' }), 'invalid_request_object');
    }
  });

  it('refuses a replayed jti', async () => {
    const request = await signed(await claims('jar.key'));
    toLogin(await authorize({ client_id: 'jar.key', request }));
    await expectErrorPage(await authorize({ client_id: 'jar.key', request }), 'invalid_request_object');
  });

  it('a valid object naming an unregistered redirect_uri is shown on the error page, not redirected', async () => {
    const request = await signed(await claims('jar.key', { redirect_uri: 'https://evil.example/cb' }));
    await expectErrorPage(await authorize({ client_id: 'jar.key', request }), 'invalid_request');
  });

  it('refuses malformed and encrypted objects, request with request_uri, and a missing or unknown client_id', async () => {
    const request = await signed(await claims('jar.key'));
    await expectErrorPage(await authorize({ client_id: 'jar.key', request: 'not.a.jwt' }), 'invalid_request_object');
    await expectErrorPage(await authorize({ client_id: 'jar.key', request: 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d' }), 'invalid_request_object');
    await expectErrorPage(await authorize({ client_id: 'jar.key', request, request_uri: 'urn:ietf:params:oauth:request_uri:x' }), 'invalid_request');
    await expectErrorPage(await authorize({ request }), 'invalid_request');
    await expectErrorPage(await authorize({ client_id: 'nobody', request }), 'invalid_client');
  });

  it('request_uri by reference: request_uri_not_supported by default; with the switch, private addresses are refused', async () => {
    await expectErrorPage(await authorize({ client_id: 'jar.key', request_uri: 'https://client.example/request.jwt' }), 'request_uri_not_supported');
    const doc = (await (await fetch(`${byReference.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.require_request_uri_registration).toBe(false);
    const local = await authorize({ client_id: 'interactive.confidential', request_uri: 'https://127.0.0.1:1/request.jwt' }, byReference);
    await expectErrorPage(local, 'invalid_request_uri');
    await expectErrorPage(
      await authorize({ client_id: 'interactive.confidential', request_uri: 'http://client.example/r' }, byReference),
      'request_uri_not_supported',
    );
  });

  it('fetching by reference is a startup warning', () => {
    const { warnings } = parseConfig({ requestObjects: { fetchByReference: true } });
    expect(warnings.map((w) => w.path)).toContain('requestObjects.fetchByReference');
  });

  it('discovery advertises request objects and their algorithms', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.request_parameter_supported).toBe(true);
    expect(doc.request_object_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'none']));
  });
});

describe('encrypted request objects (RFC 9101 §6.1)', () => {
  const encrypt = async (jwt: string, key: CryptoKey | Uint8Array, kid: string) =>
    new CompactEncrypt(new TextEncoder().encode(jwt)).setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT', kid }).encrypt(key);

  it('are decrypted with the server key published with use enc and advertised in discovery', async () => {
    const doc = (await (await fetch(`${byReference.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.request_object_encryption_alg_values_supported).toEqual(['RSA-OAEP-256']);
    expect(doc.request_object_encryption_enc_values_supported).toEqual(expect.arrayContaining(['A128CBC-HS256', 'A256GCM']));
    const { keys } = (await (await fetch(`${byReference.url}/.well-known/openid-configuration/jwks`)).json()) as { keys: JWK[] };
    const enc = keys.find((k) => k.use === 'enc')!;
    expect(enc).toMatchObject({ alg: 'RSA-OAEP-256', kty: 'RSA' });
    const inner = unsigned({ ...(await claims('interactive.confidential')), aud: byReference.url });
    const request = await encrypt(inner, await importJWK(enc, 'RSA-OAEP-256'), enc.kid!);
    toLogin(await authorize({ client_id: 'interactive.confidential', request }, byReference));
  });

  it('refuses an object encrypted to another key, and any encrypted object where no key is configured', async () => {
    const { keys } = (await (await fetch(`${byReference.url}/.well-known/openid-configuration/jwks`)).json()) as { keys: JWK[] };
    const kid = keys.find((k) => k.use === 'enc')!.kid!;
    const stranger = (await generateKeyPair('RSA-OAEP-256')).publicKey;
    const inner = unsigned({ ...(await claims('interactive.confidential')), aud: byReference.url });
    await expectErrorPage(
      await authorize({ client_id: 'interactive.confidential', request: await encrypt(inner, stranger, kid) }, byReference),
      'invalid_request_object',
    );
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('request_object_encryption_alg_values_supported');
    await expectErrorPage(await authorize({ client_id: 'interactive.confidential', request: await encrypt(inner, stranger, kid) }), 'invalid_request_object');
  });
});

describe('request objects at the PAR endpoint (RFC 9126 §3)', () => {
  const par = (params: Record<string, string>, id = 'jar.key', secret = 'secret') => post(s.url, '/connect/par', params, { authorization: basic(id, secret) });

  it('a signed object is pushed and its parameters used at the authorization endpoint', async () => {
    const answer = await par({ request: await signed(await claims('jar.key')) });
    expect(answer.status, answer.text).toBe(201);
    toLogin(await authorize({ client_id: 'jar.key', request_uri: answer.body.request_uri as string }));
  });

  it('a client that must sign cannot push plain parameters or an unsigned object (400)', async () => {
    const plain = await par({
      response_type: 'code',
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid',
      code_challenge: (await pkce()).challenge,
      code_challenge_method: 'S256',
    });
    expect([plain.status, plain.body.error]).toEqual([400, 'invalid_request']);
    const none = await par({ request: unsigned(await claims('jar.key')) });
    expect([none.status, none.body.error]).toEqual([400, 'invalid_request_object']);
  });

  it('an invalid object is a JSON invalid_request_object; a replayed one too', async () => {
    const wrongKey = await par({ request: await signed(await claims('jar.key'), otherKey) });
    expect([wrongKey.status, wrongKey.body.error]).toEqual([400, 'invalid_request_object']);
    const request = await hs(await claims('jar.hs'));
    expect((await par({ request }, 'jar.hs', HS_SECRET)).status).toBe(201);
    const again = await par({ request }, 'jar.hs', HS_SECRET);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_request_object']);
  });
});
