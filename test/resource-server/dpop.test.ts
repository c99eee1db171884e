/**
 * The DPoP verifier in the resource server (RFC 9449 §7, §9), through real
 * HTTP requests to an API protected by the node middleware. A real Gatehouse
 * serves the JWKS; the DPoP-bound access tokens (`cnf.jkt`) are signed with
 * its key manager, since the token endpoint does not issue them yet. The
 * proofs are made by jose in the test and by oauth4webapi, a real DPoP client.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { operationalReplayStore } from '../../src/proof/store-replay.js';
import { accessTokenHash, dpopVerifier } from '../../src/resource-server/index.js';
import { makeProof, proofKey, type ProofKey } from '../proof/dpop-proofs.js';
import { challengeParams, startApi, type Api } from './helpers.js';

describe('resource server: DPoP verifier', () => {
  let s: TestServer;
  let api: Api;
  let key: ProofKey;
  let jkt: string;
  const apis: Api[] = [];
  beforeAll(async () => {
    s = await startTestServer();
    api = await startApi(s, { proof: [dpopVerifier({ clock: () => s.clock.now() })] });
    apis.push(api);
    key = await proofKey('ES256');
    jkt = await calculateJwkThumbprint(key.publicJwk, 'sha256');
  });
  afterAll(async () => {
    for (const a of apis) await a.close();
    await s?.close();
  });

  const boundToken = (thumbprint = jkt, extra: Record<string, unknown> = {}) => {
    const now = s.clock.now();
    return signJwt(
      {
        iss: s.url,
        sub: 'm2m.dpop',
        aud: 'api',
        client_id: 'm2m.dpop',
        jti: randomUUID(),
        iat: now,
        exp: now + 3600,
        scope: 'api',
        cnf: { jkt: thumbprint },
        ...extra,
      },
      s.gh.context.keys.signingKey(),
      'at+jwt',
    );
  };
  const proofFor = (a: Api, token: string, over: Parameters<typeof makeProof>[4] = {}, k = key, method = 'GET') =>
    makeProof(k, method, `${a.url}/api/test`, s.clock.now(), { ...over, claims: { ath: accessTokenHash(token), ...over.claims } });
  const call = (a: Api, token: string, proof?: string, scheme = 'DPoP') =>
    a.get(undefined, { authorization: `${scheme} ${token}`, ...(proof ? { dpop: proof } : {}) });
  const refusedWith = (r: { status: number; headers: Headers }, error: string) => {
    expect(r.status).toBe(401);
    const header = r.headers.get('www-authenticate');
    const { scheme, params } = challengeParams(header);
    expect(scheme).toBe('DPoP');
    expect(params.error).toBe(error);
    expect(params.algs).toBe('ES256 PS256 EdDSA RS256');
    return params;
  };

  it('accepts a DPoP-bound token with a valid proof', async () => {
    const token = await boundToken();
    const r = await call(api, token, await proofFor(api, token));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ scheme: 'DPoP', cnf: { jkt }, subject: 'm2m.dpop' });
  });

  it('offers the DPoP scheme with algs when no credentials come (§7.1)', async () => {
    const r = await api.get();
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer, DPoP algs="ES256 PS256 EdDSA RS256"');
  });

  it('refuses a reused proof (jti)', async () => {
    const token = await boundToken();
    const proof = await proofFor(api, token);
    expect((await call(api, token, proof)).status).toBe(200);
    expect(refusedWith(await call(api, token, proof), 'invalid_dpop_proof').error_description).toMatch(/used before/);
  });

  it('refuses a proof signed by another key than the bound one', async () => {
    const token = await boundToken();
    const thief = await proofKey('ES256');
    expect(refusedWith(await call(api, token, await proofFor(api, token, {}, thief)), 'invalid_dpop_proof').error_description).toMatch(/bound/);
  });

  it('refuses a proof made for another token (ath), method (htm) or URI (htu)', async () => {
    const token = await boundToken();
    const otherToken = await boundToken();
    expect(refusedWith(await call(api, token, await proofFor(api, otherToken)), 'invalid_dpop_proof').error_description).toMatch(/ath/);
    expect(refusedWith(await call(api, token, await proofFor(api, token, {}, key, 'POST')), 'invalid_dpop_proof').error_description).toMatch(/htm/);
    const elsewhere = await makeProof(key, 'GET', `${api.url}/api/other`, s.clock.now(), { claims: { ath: accessTokenHash(token) } });
    expect(refusedWith(await call(api, token, elsewhere), 'invalid_dpop_proof').error_description).toMatch(/htu/);
  });

  it('refuses a stale or future proof', async () => {
    const token = await boundToken();
    const now = s.clock.now();
    const stale = await makeProof(key, 'GET', `${api.url}/api/test`, now - 71, { claims: { ath: accessTokenHash(token) } });
    const future = await makeProof(key, 'GET', `${api.url}/api/test`, now + 11, { claims: { ath: accessTokenHash(token) } });
    expect(refusedWith(await call(api, token, stale), 'invalid_dpop_proof').error_description).toMatch(/too old/);
    expect(refusedWith(await call(api, token, future), 'invalid_dpop_proof').error_description).toMatch(/future/);
  });

  it('refuses a missing proof, and a request with two DPoP headers', async () => {
    const token = await boundToken();
    refusedWith(await call(api, token), 'invalid_dpop_proof');
    // Two header fields on the wire (node's http client sends one line per array element).
    const status = await new Promise<{ status: number; challenge: string }>((resolve, reject) => {
      Promise.all([proofFor(api, token), proofFor(api, token)]).then(([p1, p2]) => {
        const req = http.request(`${api.url}/api/test`, { headers: { authorization: `DPoP ${token}`, dpop: [p1, p2] } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, challenge: String(res.headers['www-authenticate']) });
        });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(status.status).toBe(401);
    expect(status.challenge).toMatch(/^DPoP error="invalid_dpop_proof", error_description="the request has more than one DPoP header"/);
  });

  it('refuses wrong typ, alg none, and a private key in the jwk', async () => {
    const token = await boundToken();
    expect(refusedWith(await call(api, token, await proofFor(api, token, { header: { typ: 'JWT' } })), 'invalid_dpop_proof').error_description).toMatch(/typ/);
    expect(
      refusedWith(await call(api, token, await proofFor(api, token, { header: { jwk: key.privateJwk } })), 'invalid_dpop_proof').error_description,
    ).toMatch(/private/);
    const [h, c] = (await proofFor(api, token)).split('.');
    const none = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h, 'base64url').toString()), alg: 'none' })).toString('base64url')}.${c}.`;
    // "x." is not a b64token (RFC 6750), so the unsigned proof is sent in the DPoP header only.
    expect(refusedWith(await call(api, token, none), 'invalid_dpop_proof').error_description).toMatch(/malformed|alg/);
  });

  it('refuses a DPoP-bound token sent as a Bearer token, with the DPoP challenge (§7.2)', async () => {
    const token = await boundToken();
    expect(refusedWith(await call(api, token, await proofFor(api, token), 'Bearer'), 'invalid_token').error_description).toMatch(/DPoP scheme/);
  });

  it('answers use_dpop_nonce with a DPoP-Nonce when nonces are on, accepts the nonce on another instance, and refuses a proof replayed there', async () => {
    // Two API instances ("nodes") with one nonce secret and one shared replay store (an operational store).
    const shared = createMemoryBackend();
    const options = () => ({
      clock: () => s.clock.now(),
      nonce: { secret: 'nonce secret shared by the API nodes!' },
      replayStore: operationalReplayStore(shared.records, () => s.clock.now()),
    });
    const a = await startApi(s, { proof: [dpopVerifier(options())], origin: 'https://api.example.com' });
    const b = await startApi(s, { proof: [dpopVerifier(options())], origin: 'https://api.example.com' });
    apis.push(a, b);
    const url = 'https://api.example.com/api/test';
    const token = await boundToken();
    const ath = accessTokenHash(token);
    const first = await call(a, token, await makeProof(key, 'GET', url, s.clock.now(), { claims: { ath } }));
    const params = refusedWith(first, 'use_dpop_nonce');
    expect(params.error_description).toMatch(/nonce/);
    const nonce = first.headers.get('dpop-nonce')!;
    expect(nonce).toBeTruthy();
    const withNonce = await makeProof(key, 'GET', url, s.clock.now(), { claims: { ath, nonce } });
    expect((await call(b, token, withNonce)).status).toBe(200);
    expect(refusedWith(await call(a, token, withNonce), 'invalid_dpop_proof').error_description).toMatch(/used before/);
    refusedWith(await call(a, token, await makeProof(key, 'GET', url, s.clock.now(), { claims: { ath, nonce: 'forged' } })), 'use_dpop_nonce');
    // Ten minutes later the nonce has rotated out (period 300 s: valid for its window and the next).
    s.clock.advance(600);
    const late = await call(a, token, await makeProof(key, 'GET', url, s.clock.now(), { claims: { ath, nonce } }));
    refusedWith(late, 'use_dpop_nonce');
    expect(late.headers.get('dpop-nonce')).not.toBe(nonce);
    await shared.close();
  });

  it('answers 503 when a shared replay store cannot be reached, and records nothing for a bad proof', async () => {
    let marks = 0;
    const down = await startApi(s, {
      proof: [dpopVerifier({ clock: () => s.clock.now(), replayStore: { markOnce: () => (marks++, Promise.reject(new Error('connection refused'))) } })],
    });
    apis.push(down);
    const token = await boundToken();
    const r = await call(down, token, await proofFor(down, token));
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ error: 'temporarily_unavailable' });
    refusedWith(await call(down, token, await proofFor(down, token, {}, key, 'POST')), 'invalid_dpop_proof');
    expect(marks).toBe(1);
  });

  it('works with oauth4webapi as the DPoP client, including the nonce retry', async () => {
    // oauth4webapi dates its proofs by the system clock, so this verifier uses it too (the test server's clock may have moved).
    const nonced = await startApi(s, { proof: [dpopVerifier({ nonce: { secret: 'x'.repeat(32) } })] });
    apis.push(nonced);
    const keyPair = await generateKeyPair('ES256');
    const token = await boundToken(await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256'));
    const client: oauth.Client = { client_id: 'm2m.dpop' };
    const dpop = oauth.DPoP(client, keyPair);
    const target = new URL(`${nonced.url}/api/test`);
    const request = () => oauth.protectedResourceRequest(token, 'GET', target, new Headers(), null, { DPoP: dpop, [oauth.allowInsecureRequests]: true });
    // The first request has no nonce: use_dpop_nonce, which the client recognises and retries with the DPoP-Nonce it was given.
    const first = await request().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(oauth.isDPoPNonceError(first)).toBe(true);
    const response = await request();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scheme: 'DPoP', subject: 'm2m.dpop' });
    // And again: a fresh proof (new jti) with the cached nonce.
    expect((await request()).status).toBe(200);
  });
});
