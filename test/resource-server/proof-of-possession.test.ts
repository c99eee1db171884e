/**
 * The proof-of-possession seam: tokens with `cnf` (RFC 7800) are accepted
 * only through a verifier for their confirmation method, with the scheme it
 * names (RFC 9449 §7.2, RFC 8705 §3). The tokens are signed with the real
 * Gatehouse signing key (Gatehouse does not issue bound tokens yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import type { ProofInput, ProofVerifier } from '../../src/resource-server/index.js';
import { challengeParams, startApi, type Api } from './helpers.js';

describe('resource server: proof of possession', () => {
  let s: TestServer;
  let bearerOnly: Api;
  let withDpop: Api;
  const seen: ProofInput[] = [];
  /** A stand-in DPoP verifier: accepts when the DPoP header names the token's jkt. */
  const dpop: ProofVerifier = {
    confirmationMethod: 'jkt',
    scheme: 'DPoP',
    challenge: 'algs="ES256"',
    verify(input) {
      seen.push(input);
      const proof = (input.request.headers as Record<string, string | undefined>).dpop;
      if (proof === input.cnf.jkt) return undefined;
      return { error: 'invalid_dpop_proof', description: 'proof does not match', headers: { 'dpop-nonce': 'n-1' } };
    },
  };
  beforeAll(async () => {
    s = await startTestServer();
    bearerOnly = await startApi(s);
    withDpop = await startApi(s, { proof: [dpop] });
  });
  afterAll(async () => {
    await bearerOnly?.close();
    await withDpop?.close();
    await s?.close();
  });
  const token = (extra: Record<string, unknown> = {}) => {
    const now = s.clock.now();
    return signJwt(
      { iss: s.url, sub: 'c', aud: 'api', client_id: 'c', jti: 'j', iat: now, exp: now + 60, scope: 'api', ...extra },
      s.gh.context.keys.signingKey(),
      'at+jwt',
    );
  };

  it('refuses a bound token when no verifier is configured, instead of treating it as a bearer token', async () => {
    for (const cnf of [{ jkt: 'thumb' }, { 'x5t#S256': 'hash' }]) {
      const r = await bearerOnly.get(await token({ cnf }));
      expect(r.status).toBe(401);
      expect(challengeParams(r.headers.get('www-authenticate')).params).toMatchObject({
        error: 'invalid_token',
        error_description: expect.stringMatching(/cnf/),
      });
    }
    expect((await bearerOnly.get(await token({ cnf: 'x' }))).status).toBe(401);
  });

  it('does not accept the DPoP scheme without a DPoP verifier', async () => {
    const r = await bearerOnly.get(undefined, { authorization: `DPoP ${await token({ cnf: { jkt: 't' } })}` });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('hands a DPoP-bound token with the DPoP scheme to the verifier, with the request', async () => {
    const t = await token({ cnf: { jkt: 'thumb-1' } });
    seen.length = 0;
    const r = await withDpop.get(undefined, { authorization: `DPoP ${t}`, dpop: 'thumb-1' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scheme: 'DPoP', cnf: { jkt: 'thumb-1' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ token: t, scheme: 'DPoP', cnf: { jkt: 'thumb-1' }, request: { method: 'GET', url: `${withDpop.url}/api/test` } });
  });

  it("passes the verifier's refusal on, in the DPoP scheme", async () => {
    const r = await withDpop.get(undefined, { authorization: `DPoP ${await token({ cnf: { jkt: 'thumb-1' } })}`, dpop: 'other' });
    expect(r.status).toBe(401);
    expect(r.headers.get('dpop-nonce')).toBe('n-1');
    const { scheme, params } = challengeParams(r.headers.get('www-authenticate'));
    expect(scheme).toBe('DPoP');
    expect(params.error).toBe('invalid_dpop_proof');
  });

  it('refuses a DPoP-bound token sent as a Bearer token (RFC 9449 §7.2)', async () => {
    const r = await withDpop.get(await token({ cnf: { jkt: 'thumb-1' } }), { dpop: 'thumb-1' });
    expect(r.status).toBe(401);
    const { scheme, params } = challengeParams(r.headers.get('www-authenticate'));
    expect(scheme).toBe('DPoP');
    expect(params).toMatchObject({ error: 'invalid_token', error_description: expect.stringMatching(/DPoP scheme/) });
  });

  it('refuses an unbound token sent with the DPoP scheme, and still accepts Bearer tokens', async () => {
    expect((await withDpop.get(undefined, { authorization: `DPoP ${await token()}` })).status).toBe(401);
    expect((await withDpop.get(await token())).status).toBe(200);
  });

  it('offers every accepted scheme when no credentials are sent', async () => {
    const r = await withDpop.get();
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer, DPoP algs="ES256"');
  });
});
