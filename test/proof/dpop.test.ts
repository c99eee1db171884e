/**
 * DPoP proof validation (RFC 9449 §4.2, §4.3): every check of §4.3 with a
 * proof that fails only it, and the happy path with keys made by jose.
 */
import { createHmac } from 'node:crypto';
import { calculateJwkThumbprint, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  checkDpopAlgorithms,
  createDpopNonces,
  DpopError,
  MemoryReplayStore,
  tokenEndpointAnswer,
  verifyDpopProof,
  type DpopPolicy,
  type DpopRequest,
} from '../../src/proof/index.js';
import { makeProof, proofKey, type ProofKey } from './dpop-proofs.js';

const NOW = 1_800_000_000;
const URL_ = 'https://as.example.com/connect/token';
const policy = (extra: Partial<DpopPolicy> = {}): DpopPolicy => ({
  algorithms: checkDpopAlgorithms(['ES256', 'PS256', 'EdDSA', 'RS256']),
  maxAge: 60,
  leeway: 10,
  replay: new MemoryReplayStore(1000, () => NOW),
  now: NOW,
  ...extra,
});
const request = (proof: DpopRequest['proof'], extra: Partial<DpopRequest> = {}): DpopRequest => ({ proof, method: 'POST', url: URL_, ...extra });

async function refusal(p: Promise<unknown>): Promise<DpopError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DpopError) return err;
    throw err;
  }
  throw new Error('the proof was accepted');
}

describe('DPoP proof validation', () => {
  let es: ProofKey;
  let other: ProofKey;
  beforeAll(async () => {
    es = await proofKey('ES256');
    other = await proofKey('ES256');
  });
  const proof = (parts?: Parameters<typeof makeProof>[4], key = es, method = 'POST', url = URL_, iat = NOW) => makeProof(key, method, url, iat, parts);

  it('accepts a valid proof for each allowed algorithm and gives the RFC 7638 thumbprint as jkt', async () => {
    for (const alg of ['ES256', 'PS256', 'EdDSA', 'RS256']) {
      const key = await proofKey(alg);
      const v = await verifyDpopProof(request(await makeProof(key, 'POST', URL_, NOW)), policy());
      expect(v.jkt).toBe(await calculateJwkThumbprint(key.publicJwk, 'sha256'));
      expect(v.alg).toBe(alg);
    }
  });

  it('accepts a proof signed by jose SignJWT', async () => {
    const jwt = await new SignJWT({ htm: 'POST', htu: URL_, iat: NOW, jti: 'jose-1' })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: es.publicJwk })
      .sign(es.privateKey);
    expect((await verifyDpopProof(request(jwt), policy())).jti).toBe('jose-1');
  });

  it('refuses a request without a proof, or with more than one DPoP header (item 1)', async () => {
    const p = await proof();
    for (const value of [undefined, '', []])
      expect((await refusal(verifyDpopProof(request(value as DpopRequest['proof']), policy()))).code).toBe('invalid_dpop_proof');
    const two = await refusal(verifyDpopProof(request([p, await proof()]), policy()));
    expect(two.description).toMatch(/more than one/);
    expect((await refusal(verifyDpopProof(request(`${p}, ${await proof()}`), policy()))).description).toMatch(/more than one/);
  });

  it('refuses anything but one canonical compact JWT (item 2)', async () => {
    const p = await proof();
    const [h, c, s] = p.split('.');
    // The last base64url character of a 64-byte ES256 signature carries 4 unused bits: flip one of them.
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${h}.${c}.${s.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(Buffer.from(respelled.split('.')[2], 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    for (const bad of [
      `${p}=`,
      `${h}=.${c}.${s}`,
      ` ${p}`,
      `${h}.${c}`,
      `${p}.x.y`,
      `${h}.${c}.`,
      respelled,
      JSON.stringify({ protected: h, payload: c, signature: s }),
      `${h}.${Buffer.from('[1]').toString('base64url')}.${s}`,
    ]) {
      const err = await refusal(verifyDpopProof(request(bad), policy()));
      expect(err.code).toBe('invalid_dpop_proof');
    }
  });

  it('refuses a proof missing jti, htm, htu or iat (item 3)', async () => {
    for (const claim of ['jti', 'htm', 'htu', 'iat']) {
      const err = await refusal(verifyDpopProof(request(await proof({ claims: { [claim]: undefined } })), policy()));
      expect(err.description).toMatch(new RegExp(claim));
    }
    expect((await refusal(verifyDpopProof(request(await proof({ claims: { iat: String(NOW) } })), policy()))).description).toMatch(/iat/);
  });

  it('refuses a typ other than dpop+jwt (item 4)', async () => {
    for (const typ of ['jwt', 'at+jwt', undefined]) {
      expect((await refusal(verifyDpopProof(request(await proof({ header: { typ } })), policy()))).description).toMatch(/typ/);
    }
  });

  it('refuses alg none, HMAC and algorithms outside the allow-list (item 5)', async () => {
    const claims = Buffer.from(JSON.stringify({ jti: 'n', htm: 'POST', htu: URL_, iat: NOW })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: es.publicJwk })).toString('base64url')}.${claims}.`;
    expect((await refusal(verifyDpopProof(request(none), policy()))).code).toBe('invalid_dpop_proof');
    const hsHeader = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: es.publicJwk })).toString('base64url');
    const hs = `${hsHeader}.${claims}.${createHmac('sha256', 'secret').update(`${hsHeader}.${claims}`).digest('base64url')}`;
    expect((await refusal(verifyDpopProof(request(hs), policy()))).description).toMatch(/alg/);
    const ps = await proofKey('PS256');
    const onlyEs = policy({ algorithms: checkDpopAlgorithms(['ES256']) });
    expect((await refusal(verifyDpopProof(request(await makeProof(ps, 'POST', URL_, NOW)), onlyEs))).description).toMatch(/alg/);
    for (const bad of ['none', 'HS256', 'HS512', 'ES256K', 'dir']) expect(() => checkDpopAlgorithms([bad])).toThrow(/asymmetric/);
    expect(() => checkDpopAlgorithms([])).toThrow(/empty/);
  });

  it('refuses a proof whose signature does not verify with its jwk (item 6)', async () => {
    const signedByOther = await makeProof(other, 'POST', URL_, NOW, { header: { jwk: es.publicJwk } });
    expect((await refusal(verifyDpopProof(request(signedByOther), policy()))).description).toMatch(/signature/);
    const p = await proof();
    const [h, c] = p.split('.');
    const forgedClaims = Buffer.from(JSON.stringify({ jti: 'x', htm: 'POST', htu: URL_, iat: NOW + 1 })).toString('base64url');
    expect((await refusal(verifyDpopProof(request(`${h}.${forgedClaims}.${p.split('.')[2]}`), policy()))).description).toMatch(/signature/);
    expect(c).not.toBe(forgedClaims);
  });

  it('refuses a jwk holding a private key, a missing jwk, or a key that does not fit alg (item 7)', async () => {
    expect((await refusal(verifyDpopProof(request(await proof({ header: { jwk: es.privateJwk } })), policy()))).description).toMatch(/private/);
    expect((await refusal(verifyDpopProof(request(await proof({ header: { jwk: undefined } })), policy()))).description).toMatch(/jwk/);
    expect((await refusal(verifyDpopProof(request(await proof({ header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } })), policy()))).description).toMatch(
      /private or symmetric/,
    );
    const ed = await proofKey('EdDSA');
    expect((await refusal(verifyDpopProof(request(await proof({ header: { jwk: ed.publicJwk } })), policy()))).description).toMatch(/does not fit/);
  });

  it('refuses a crit header', async () => {
    expect((await refusal(verifyDpopProof(request(await proof({ header: { crit: ['exp'] } })), policy()))).description).toMatch(/crit/);
  });

  it('compares htm with the method, case-sensitively (item 8)', async () => {
    expect((await refusal(verifyDpopProof(request(await proof({}, es, 'GET')), policy()))).description).toMatch(/htm/);
    expect((await refusal(verifyDpopProof(request(await proof({}, es, 'post')), policy()))).description).toMatch(/htm/);
  });

  it('compares htu with the request URI without query and fragment, after RFC 3986 normalization (item 9)', async () => {
    const ok = [
      'https://as.example.com/connect/token',
      'HTTPS://AS.Example.COM:443/connect/token',
      'https://as.example.com/connect/./x/../token',
      'https://as.example.com/%63onnect/token',
      'https://as.example.com/connect/token?a=1#frag',
    ];
    for (const htu of ok) expect((await verifyDpopProof(request(await proof({}, es, 'POST', htu)), policy())).jkt).toBeTruthy();
    // The request's own query is ignored too, and percent-encoded hex digits compare case-insensitively.
    const encoded = await proof({}, es, 'POST', 'https://as.example.com/a%2fb');
    expect((await verifyDpopProof(request(encoded, { url: 'https://as.example.com/a%2Fb?x=y' }), policy())).jkt).toBeTruthy();
    const bad = [
      'https://as.example.com/connect/token/',
      'http://as.example.com/connect/token',
      'https://as.example.com:8443/connect/token',
      'https://other.example.com/connect/token',
      'https://as.example.com/connect/userinfo',
      'https://as.example.com/connect%2Ftoken',
      '/connect/token',
      'not a uri',
    ];
    for (const htu of bad) expect((await refusal(verifyDpopProof(request(await proof({}, es, 'POST', htu)), policy()))).description).toMatch(/htu/);
  });

  it('requires a valid server nonce when nonces are on, answered with use_dpop_nonce (item 10)', async () => {
    const nonces = createDpopNonces({ secret: 'a'.repeat(32), period: 300 });
    const missing = await refusal(verifyDpopProof(request(await proof()), policy({ nonces })));
    expect(missing.code).toBe('use_dpop_nonce');
    const wrong = await refusal(verifyDpopProof(request(await proof({ claims: { nonce: 'made-up' } })), policy({ nonces })));
    expect(wrong.code).toBe('use_dpop_nonce');
    const foreign = createDpopNonces({ secret: 'b'.repeat(32), period: 300 }).createNonce(NOW);
    expect((await refusal(verifyDpopProof(request(await proof({ claims: { nonce: foreign } })), policy({ nonces })))).code).toBe('use_dpop_nonce');
    // A nonce from another node with the same secret is accepted: no shared state.
    const nonce = createDpopNonces({ secret: 'a'.repeat(32), period: 300 }).createNonce(NOW);
    expect((await verifyDpopProof(request(await proof({ claims: { nonce } })), policy({ nonces }))).nonce).toBe(nonce);
    expect((await refusal(verifyDpopProof(request(await proof({ claims: { nonce: 5 } })), policy({ nonces })))).code).toBe('invalid_dpop_proof');
  });

  it('accepts iat within maxAge back and leeway ahead, and refuses a stale or future proof (item 11)', async () => {
    await verifyDpopProof(request(await proof({}, es, 'POST', URL_, NOW - 70)), policy());
    await verifyDpopProof(request(await proof({}, es, 'POST', URL_, NOW + 10)), policy());
    expect((await refusal(verifyDpopProof(request(await proof({}, es, 'POST', URL_, NOW - 71)), policy()))).description).toMatch(/too old/);
    expect((await refusal(verifyDpopProof(request(await proof({}, es, 'POST', URL_, NOW + 11)), policy()))).description).toMatch(/future/);
  });

  it('checks ath against the access token and the key against the bound jkt (item 12)', async () => {
    // The access token and ath of RFC 9449 §7.1's example.
    const token = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
    const ath = accessTokenHash(token);
    expect(ath).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
    const jkt = await calculateJwkThumbprint(es.publicJwk, 'sha256');
    await verifyDpopProof(request(await proof({ claims: { ath } }), { accessToken: token, boundJkt: jkt }), policy());
    expect((await refusal(verifyDpopProof(request(await proof(), { accessToken: token }), policy()))).description).toMatch(/no ath/);
    expect(
      (await refusal(verifyDpopProof(request(await proof({ claims: { ath: accessTokenHash('another') } }), { accessToken: token }), policy()))).description,
    ).toMatch(/ath/);
    const otherJkt = await calculateJwkThumbprint(other.publicJwk, 'sha256');
    expect(
      (await refusal(verifyDpopProof(request(await proof({ claims: { ath } }), { accessToken: token, boundJkt: otherJkt }), policy()))).description,
    ).toMatch(/bound/);
  });

  it('refuses a proof used a second time (jti replay)', async () => {
    const p = policy();
    const once = await proof();
    await verifyDpopProof(request(once), p);
    expect((await refusal(verifyDpopProof(request(once), p))).description).toMatch(/used before/);
    // The same jti under another key is another proof.
    await verifyDpopProof(
      request(await makeProof(other, 'POST', URL_, NOW, { claims: { jti: JSON.parse(Buffer.from(once.split('.')[1], 'base64url').toString()).jti } })),
      p,
    );
  });

  it('gives the token endpoint answer: 400 with the error and DPoP-Nonce', async () => {
    const err = await refusal(verifyDpopProof(request(await proof()), policy({ nonces: createDpopNonces({ secret: 'a'.repeat(32) }) })));
    expect(tokenEndpointAnswer(err, 'n1')).toEqual({
      status: 400,
      headers: { 'cache-control': 'no-store', 'dpop-nonce': 'n1' },
      body: { error: 'use_dpop_nonce', error_description: err.description },
    });
  });
});
