/**
 * DPoP-bound tokens at the provider's protected resources (RFC 9449 §7):
 * userinfo and the demo's /api/test, through real HTTP. A bound token needs
 * the DPoP scheme and a proof with `ath`, signed by the bound key, used once;
 * as a Bearer token it is refused (§7.2), with a `DPoP` challenge offering
 * `algs` (§7.1).
 */
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenHash } from '../../src/proof/dpop.js';
import { authorizeWithLogin } from '../helpers/flow.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { makeProof, proofKey, type ProofKey, type ProofParts } from '../proof/dpop-proofs.js';
import { token } from './helpers.js';

let s: TestServer;
let key: ProofKey;
let other: ProofKey;
/** A DPoP-bound access token of interactive.confidential (openid, api). */
let userToken: string;
/** A Bearer access token of interactive.confidential. */
let bearerToken: string;
/** A DPoP-bound access token of m2m.dpop (scope api). */
let m2mToken: string;
beforeAll(async () => {
  s = await startTestServer();
  key = await proofKey('ES256');
  other = await proofKey('ES256');
  const redeem = async (dpop?: string) => {
    const flow = await authorizeWithLogin(s.url);
    const params = { grant_type: 'authorization_code', code: flow.code, code_verifier: flow.verifier, redirect_uri: 'http://localhost:3000/callback' };
    const headers: Record<string, string> = { authorization: basic('interactive.confidential', 'secret'), ...(dpop ? { dpop } : {}) };
    return (await token(s.url, params, headers)).body.access_token as string;
  };
  userToken = await redeem(await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now()));
  bearerToken = await redeem();
  const m2m = await token(
    s.url,
    { grant_type: 'client_credentials' },
    { authorization: basic('m2m.dpop', 'secret'), dpop: await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now()) },
  );
  m2mToken = m2m.body.access_token as string;
});
afterAll(() => s?.close());

const ALGS = 'algs="ES256 PS256 EdDSA RS256"';

async function call(path: string, authorization: string, dpop?: string) {
  const res = await fetch(s.url + path, { headers: { authorization, ...(dpop ? { dpop } : {}) } });
  const text = await res.text();
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', text };
}

const proofFor = (path: string, tok: string, k: ProofKey = key, parts: ProofParts = {}) =>
  makeProof(k, 'GET', s.url + path, s.clock.now(), { ...parts, claims: { ath: accessTokenHash(tok), ...parts.claims } });

function dpopRefusal(r: { status: number; challenge: string; text: string }, error: string): void {
  expect(r.status, r.text).toBe(401);
  expect(r.challenge).toMatch(/^DPoP /);
  expect(r.challenge).toContain(`error="${error}"`);
  expect(r.challenge).toContain(ALGS);
}

describe('userinfo', () => {
  const path = '/connect/userinfo';

  it('a bound token with the DPoP scheme and a proof (htm, htu, ath) answers the claims', async () => {
    const r = await call(path, `DPoP ${userToken}`, await proofFor(path, userToken));
    expect(r.status, r.text).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ sub: '1' });
  });

  it('also with POST (htm POST)', async () => {
    const res = await fetch(s.url + path, {
      method: 'POST',
      headers: {
        authorization: `DPoP ${userToken}`,
        dpop: await makeProof(key, 'POST', s.url + path, s.clock.now(), { claims: { ath: accessTokenHash(userToken) } }),
      },
    });
    expect(res.status).toBe(200);
  });

  it('a bound token used as a Bearer token is refused: 401 invalid_token with a DPoP challenge (§7.2)', async () => {
    dpopRefusal(await call(path, `Bearer ${userToken}`), 'invalid_token');
  });

  it('the DPoP scheme without a proof: invalid_dpop_proof', async () => dpopRefusal(await call(path, `DPoP ${userToken}`), 'invalid_dpop_proof'));

  it('a proof of another key: invalid_dpop_proof', async () => {
    dpopRefusal(await call(path, `DPoP ${userToken}`, await proofFor(path, userToken, other)), 'invalid_dpop_proof');
  });

  it('a proof without ath, or with the hash of another token: invalid_dpop_proof', async () => {
    dpopRefusal(await call(path, `DPoP ${userToken}`, await proofFor(path, userToken, key, { claims: { ath: undefined } })), 'invalid_dpop_proof');
    dpopRefusal(await call(path, `DPoP ${userToken}`, await proofFor(path, bearerToken)), 'invalid_dpop_proof');
  });

  it('wrong htm or htu, stale iat: invalid_dpop_proof', async () => {
    const ath = accessTokenHash(userToken);
    dpopRefusal(await call(path, `DPoP ${userToken}`, await makeProof(key, 'POST', s.url + path, s.clock.now(), { claims: { ath } })), 'invalid_dpop_proof');
    dpopRefusal(
      await call(path, `DPoP ${userToken}`, await makeProof(key, 'GET', `${s.url}/api/test`, s.clock.now(), { claims: { ath } })),
      'invalid_dpop_proof',
    );
    dpopRefusal(
      await call(path, `DPoP ${userToken}`, await makeProof(key, 'GET', s.url + path, s.clock.now() - 600, { claims: { ath } })),
      'invalid_dpop_proof',
    );
  });

  it('a proof used twice: the second is refused (§11.1)', async () => {
    const p = await proofFor(path, userToken);
    expect((await call(path, `DPoP ${userToken}`, p)).status).toBe(200);
    dpopRefusal(await call(path, `DPoP ${userToken}`, p), 'invalid_dpop_proof');
  });

  it('an unbound token sent with the DPoP scheme: invalid_token', async () => {
    dpopRefusal(await call(path, `DPoP ${bearerToken}`, await proofFor(path, bearerToken)), 'invalid_token');
  });

  it('an unbound token as Bearer still works', async () => {
    expect((await call(path, `Bearer ${bearerToken}`)).status).toBe(200);
  });
});

describe('the demo API /api/test (resource-server middleware)', () => {
  const path = '/api/test';

  it("answers the provider's own DPoP-bound token with a valid proof", async () => {
    const r = await call(path, `DPoP ${m2mToken}`, await proofFor(path, m2mToken));
    expect(r.status, r.text).toBe(200);
    const claims = JSON.parse(r.text) as { type: string; value: string }[];
    expect(claims).toContainEqual({ type: 'client_id', value: 'm2m.dpop' });
    expect(claims).toContainEqual({ type: 'cnf', value: JSON.stringify({ jkt: await calculateJwkThumbprint(key.publicJwk, 'sha256') }) });
  });

  it('refuses it as a Bearer token (§7.2) with a DPoP challenge', async () => dpopRefusal(await call(path, `Bearer ${m2mToken}`), 'invalid_token'));

  it('refuses a proof of another key, and a reused proof', async () => {
    dpopRefusal(await call(path, `DPoP ${m2mToken}`, await proofFor(path, m2mToken, other)), 'invalid_dpop_proof');
    const p = await proofFor(path, m2mToken);
    expect((await call(path, `DPoP ${m2mToken}`, p)).status).toBe(200);
    dpopRefusal(await call(path, `DPoP ${m2mToken}`, p), 'invalid_dpop_proof');
  });

  it('refuses a proof for another URI', async () => {
    dpopRefusal(
      await call(
        path,
        `DPoP ${m2mToken}`,
        await makeProof(key, 'GET', `${s.url}/connect/userinfo`, s.clock.now(), { claims: { ath: accessTokenHash(m2mToken) } }),
      ),
      'invalid_dpop_proof',
    );
  });
});
