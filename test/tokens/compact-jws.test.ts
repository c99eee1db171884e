/**
 * Canonical JWS compact serialization (RFC 7515 §7.1, §2 base64url): the one
 * check every incoming JWT passes, and its effect on access tokens at the
 * userinfo, revocation and introspection endpoints. (Client assertions:
 * test/endpoints/token-client-auth.test.ts; ID token hints:
 * test/tokens/id-token-hint.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCanonicalBase64url, isCompactJws } from '../../src/tokens/compact-jws.js';
import { basic, CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { introspectAsApi, m2mToken, post } from '../endpoints/helpers.js';
import { redeem, signIn } from '../interaction/interaction-helpers.js';

/** The same bytes, another string: bump the last character within its group of unused bits. */
const strayBits = (jwt: string) => jwt.slice(0, -1) + String.fromCharCode(jwt.charCodeAt(jwt.length - 1) + 1);

describe('isCompactJws', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  const good = `${b64('{"alg":"ES256"}')}.${b64('{"sub":"1"}')}.${b64('x'.repeat(64))}`;

  it('accepts canonical compact JWS, an empty signature included (refused later by the alg check)', () => {
    expect(isCompactJws(good)).toBe(true);
    expect(isCompactJws(`${b64('{"alg":"none"}')}.${b64('{}')}.`)).toBe(true);
  });

  it.each([
    ['whitespace inside', good.replace('.', '.\n')],
    ['a leading space', ` ${good}`],
    ['a trailing CRLF', `${good}\r\n`],
    ['padding', `${good}==`],
    ['standard base64 characters', good.replace(/.$/, '+')],
    ['two parts', good.split('.').slice(0, 2).join('.')],
    ['four parts', `${good}.${b64('x')}`],
    ['an empty header', `.${good.split('.').slice(1).join('.')}`],
    ['an empty payload', `${good.split('.')[0]}..${good.split('.')[2]}`],
    ['stray bits in the last character', strayBits(good)],
    ['a part of length 1 mod 4', `${good.split('.').slice(0, 2).join('.')}.AAAAA`],
  ])('refuses %s', (_name, token) => {
    expect(isCompactJws(token)).toBe(false);
  });

  it('knows which last characters are canonical', () => {
    // one byte -> 2 characters (4 unused bits); two bytes -> 3 characters (2 unused bits)
    expect(['AA', 'AQ', 'Ag', 'Aw'].every(isCanonicalBase64url)).toBe(true);
    expect(['AB', 'AR', 'Ah', 'Ax'].some(isCanonicalBase64url)).toBe(false);
    expect(['AAA', 'AAE', 'AA8'].every(isCanonicalBase64url)).toBe(true);
    expect(['AAB', 'AAF', 'AA9'].some(isCanonicalBase64url)).toBe(false);
  });
});

describe('bearer access tokens in a non-canonical form', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  it('userinfo refuses an access token whose signature differs in unused bits only', async () => {
    const { code, verifier } = await signIn(s.url, new CookieJar(), 'alice');
    const token = (await redeem(s.url, code, verifier)).body.access_token as string;
    const ask = (t: string) => fetch(`${s.url}/connect/userinfo`, { headers: { authorization: `Bearer ${t}` } });
    expect((await ask(token)).status).toBe(200);
    const res = await ask(strayBits(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });

  it('revocation does not take such a token for the real one', async () => {
    const token = await m2mToken(s.url);
    const r = await post(s.url, '/connect/revocation', { token: strayBits(token) }, { authorization: basic('m2m', 'secret') });
    expect(r.status).toBe(200); // RFC 7009 §2.2: an invalid token is no error
    expect((await introspectAsApi(s.url, token)).body.active).toBe(true);
  });

  it('introspection says inactive for such a token', async () => {
    const token = await m2mToken(s.url);
    expect((await introspectAsApi(s.url, token)).body.active).toBe(true);
    expect((await introspectAsApi(s.url, strayBits(token))).body).toEqual({ active: false });
  });
});
