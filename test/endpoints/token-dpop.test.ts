/**
 * DPoP at the token endpoint (RFC 9449 §5, §6, §8, §10, §11.1), through real
 * HTTP against the demo configuration: bound access tokens for every grant,
 * bound refresh tokens of public clients, `dpop_jkt`, `requireDpop`, server
 * nonces, and every refusal the RFC names.
 */
import { calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtensionGrantValidator } from '../../src/extensions/extension-grant.js';
import { approveOnDevicePage, DEVICE_GRANT } from '../helpers/device-page-flow.js';
import { authorizeWithLogin, CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { makeProof, proofKey, type ProofKey, type ProofParts } from '../proof/dpop-proofs.js';
import { addM2mClient, introspectAsApi, post, token, type Answer } from './helpers.js';

const PUBLIC_REDIRECT = 'http://127.0.0.1/callback';
const OTP_GRANT = 'urn:example:dpop-test';

const otpGrant: ExtensionGrantValidator = {
  grantType: OTP_GRANT,
  validate: () => Promise.resolve({ ok: true, subjectId: '1' }),
};

let s: TestServer;
let key: ProofKey;
let other: ProofKey;
let jkt: string;
beforeAll(async () => {
  s = await startTestServer({
    mutate: (c) => {
      addM2mClient(c, { clientId: 'm2m.ref', clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }], accessTokenType: 'reference' });
      addM2mClient(c, {
        clientId: 'custom',
        clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
        allowedGrantTypes: [OTP_GRANT],
      });
    },
    options: { extensionGrants: [otpGrant] },
  });
  key = await proofKey('ES256');
  other = await proofKey('ES256');
  jkt = await calculateJwkThumbprint(key.publicJwk, 'sha256');
});
afterAll(() => s?.close());

const tokenUrl = () => `${s.url}/connect/token`;
const proof = (k: ProofKey = key, parts: ProofParts = {}, method = 'POST', url = tokenUrl()) => makeProof(k, method, url, s.clock.now(), parts);
const m2m = (clientId: string, dpop?: string, extra: Record<string, string> = {}) =>
  token(s.url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(clientId, 'secret'), ...(dpop ? { dpop } : {}) });

function refused(r: Answer, error: string): void {
  expect(r.status, r.text).toBe(400);
  expect(r.body.error).toBe(error);
  expect(r.headers.get('cache-control')).toBe('no-store');
}

describe('client_credentials', () => {
  it('a valid proof binds the access token: token_type DPoP, cnf.jkt the proof key thumbprint (§5, §6.1)', async () => {
    const r = await m2m('m2m', await proof());
    expect(r.status, r.text).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token as string).cnf).toEqual({ jkt });
  });

  it('without a proof, a client that does not require DPoP gets a Bearer token without cnf', async () => {
    const r = await m2m('m2m');
    expect(r.body.token_type).toBe('Bearer');
    expect(decodeJwt(r.body.access_token as string).cnf).toBeUndefined();
  });

  it('requireDpop (m2m.dpop): a request without a proof is refused with invalid_dpop_proof; with one, bound', async () => {
    refused(await m2m('m2m.dpop'), 'invalid_dpop_proof');
    const r = await m2m('m2m.dpop', await proof());
    expect(r.body.token_type).toBe('DPoP');
  });

  it('a reference token is bound too: introspection answers token_type DPoP and cnf.jkt (§6.2)', async () => {
    const r = await m2m('m2m.ref', await proof());
    expect(r.body.token_type).toBe('DPoP');
    const i = await introspectAsApi(s.url, r.body.access_token as string);
    expect(i.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('introspection of a bound JWT access token answers token_type DPoP and cnf.jkt', async () => {
    const r = await m2m('m2m', await proof());
    const i = await introspectAsApi(s.url, r.body.access_token as string);
    expect(i.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('an extension grant issues through the token service: bound alike', async () => {
    const r = await token(s.url, { grant_type: OTP_GRANT, scope: 'api' }, { authorization: basic('custom', 'secret'), dpop: await proof() });
    expect(r.status, r.text).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token as string).cnf).toEqual({ jkt });
  });
});

describe('password grant (ro.client)', () => {
  it('binds the access token; the confidential client refresh token stays unbound', async () => {
    const r = await token(
      s.url,
      { grant_type: 'password', username: 'alice', password: 'alice', scope: 'openid api offline_access' },
      { authorization: basic('ro.client', 'secret'), dpop: await proof() },
    );
    expect(r.status, r.text).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token as string).cnf).toEqual({ jkt });
    const refreshed = await token(
      s.url,
      { grant_type: 'refresh_token', refresh_token: r.body.refresh_token as string },
      { authorization: basic('ro.client', 'secret') },
    );
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body.token_type).toBe('Bearer');
  });
});

describe('device code grant (the demo device client, public)', () => {
  it('binds the access token and the refresh token to the proof key', async () => {
    const start = await post(s.url, '/connect/deviceauthorization', { client_id: 'device', scope: 'openid api offline_access' });
    const { device_code, user_code } = start.body as { device_code: string; user_code: string };
    expect((await approveOnDevicePage(s.url, user_code, { username: 'bob' })).status).toBe(200);
    const r = await token(s.url, { grant_type: DEVICE_GRANT, device_code, client_id: 'device' }, { dpop: await proof() });
    expect(r.status, r.text).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token as string).cnf).toEqual({ jkt });
    const rt = r.body.refresh_token as string;
    refused(await token(s.url, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'device' }, { dpop: await proof(other) }), 'invalid_dpop_proof');
    const ok = await token(s.url, { grant_type: 'refresh_token', refresh_token: rt, client_id: 'device' }, { dpop: await proof() });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('invalid proofs: 400 invalid_dpop_proof (§4.3, §5)', () => {
  it('wrong htm', async () => refused(await m2m('m2m', await proof(key, {}, 'GET')), 'invalid_dpop_proof'));
  it('wrong htu', async () => refused(await m2m('m2m', await proof(key, {}, 'POST', `${s.url}/connect/userinfo`)), 'invalid_dpop_proof'));
  it('stale iat', async () => refused(await m2m('m2m', await proof(key, { claims: { iat: s.clock.now() - 600 } })), 'invalid_dpop_proof'));
  it('iat in the future', async () => refused(await m2m('m2m', await proof(key, { claims: { iat: s.clock.now() + 600 } })), 'invalid_dpop_proof'));
  it('not a dpop+jwt', async () => refused(await m2m('m2m', await proof(key, { header: { typ: 'JWT' } })), 'invalid_dpop_proof'));
  it('two DPoP headers', async () => {
    const res = await fetch(tokenUrl(), {
      method: 'POST',
      headers: [
        ['authorization', basic('m2m', 'secret')],
        ['content-type', 'application/x-www-form-urlencoded'],
        ['dpop', await proof()],
        ['dpop', await proof()],
      ],
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
  });
  it('a reused jti (§11.1): the second use is refused', async () => {
    const p = await proof();
    expect((await m2m('m2m', p)).status).toBe(200);
    refused(await m2m('m2m', p), 'invalid_dpop_proof');
  });
  it('a bad proof from a client that could go without one is still refused, never silently Bearer', async () => {
    refused(await m2m('m2m', 'not-a-jwt'), 'invalid_dpop_proof');
  });
});

describe('server nonces (§8): m2m.dpop.nonce', () => {
  it('a proof without a nonce: 400 use_dpop_nonce with DPoP-Nonce; the retry with it succeeds and gets the nonce again', async () => {
    const first = await m2m('m2m.dpop.nonce', await proof());
    refused(first, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const second = await m2m('m2m.dpop.nonce', await proof(key, { claims: { nonce } }));
    expect(second.status, second.text).toBe(200);
    expect(second.body.token_type).toBe('DPoP');
    expect(second.headers.get('dpop-nonce')).toBe(nonce);
  });

  it('a made-up or expired nonce: use_dpop_nonce with a fresh one', async () => {
    refused(await m2m('m2m.dpop.nonce', await proof(key, { claims: { nonce: 'abc.def' } })), 'use_dpop_nonce');
    const nonce = (await m2m('m2m.dpop.nonce', await proof())).headers.get('dpop-nonce')!;
    s.clock.advance(2 * 300 + 1);
    const r = await m2m('m2m.dpop.nonce', await proof(key, { claims: { nonce } }));
    refused(r, 'use_dpop_nonce');
    expect(r.headers.get('dpop-nonce')).not.toBe(nonce);
  });

  it('requireDpop without a proof is invalid_dpop_proof, not use_dpop_nonce', async () => refused(await m2m('m2m.dpop.nonce'), 'invalid_dpop_proof'));
});

/** A code flow for `clientId`; `params` go to the authorization request. */
async function code(clientId: string, params: Record<string, string> = {}) {
  const isPublic = clientId === 'interactive.public';
  return authorizeWithLogin(s.url, { clientId, redirectUri: isPublic ? PUBLIC_REDIRECT : CONFIDENTIAL_REDIRECT, params });
}

async function redeem(clientId: string, flow: { code: string; verifier: string }, dpop?: string): Promise<Answer> {
  const isPublic = clientId === 'interactive.public';
  const params = {
    grant_type: 'authorization_code',
    code: flow.code,
    code_verifier: flow.verifier,
    redirect_uri: isPublic ? PUBLIC_REDIRECT : CONFIDENTIAL_REDIRECT,
  };
  const headers: Record<string, string> = isPublic ? {} : { authorization: basic(clientId, 'secret') };
  if (dpop) headers.dpop = dpop;
  return token(s.url, isPublic ? { ...params, client_id: clientId } : params, headers);
}

async function refresh(clientId: string, refreshToken: string, dpop?: string): Promise<Answer> {
  const isPublic = clientId === 'interactive.public';
  const headers: Record<string, string> = isPublic ? {} : { authorization: basic(clientId, 'secret') };
  if (dpop) headers.dpop = dpop;
  const params = { grant_type: 'refresh_token', refresh_token: refreshToken };
  return token(s.url, isPublic ? { ...params, client_id: clientId } : params, headers);
}

describe('authorization_code and refresh_token', () => {
  it('public client: the access token and the refresh token are bound (§5); a refresh needs a proof of the same key', async () => {
    const r = await redeem('interactive.public', await code('interactive.public'), await proof());
    expect(r.status, r.text).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token as string).cnf).toEqual({ jkt });
    const rt = r.body.refresh_token as string;
    refused(await refresh('interactive.public', rt), 'invalid_dpop_proof');
    refused(await refresh('interactive.public', rt, await proof(other)), 'invalid_dpop_proof');
    // The refusals left the token usable.
    const ok = await refresh('interactive.public', rt, await proof());
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
    // The rotated refresh token stays bound.
    refused(await refresh('interactive.public', ok.body.refresh_token as string, await proof(other)), 'invalid_dpop_proof');
  });

  it('confidential client: the access token is bound, the refresh token is not (§5)', async () => {
    const r = await redeem('interactive.confidential', await code('interactive.confidential'), await proof());
    expect(r.body.token_type).toBe('DPoP');
    const plain = await refresh('interactive.confidential', r.body.refresh_token as string);
    expect(plain.status, plain.text).toBe(200);
    expect(plain.body.token_type).toBe('Bearer');
    const bound = await refresh('interactive.confidential', plain.body.refresh_token as string, await proof(other));
    expect(bound.body.token_type).toBe('DPoP');
    expect(decodeJwt(bound.body.access_token as string).cnf).toEqual({ jkt: await calculateJwkThumbprint(other.publicJwk, 'sha256') });
  });

  it('dpop_jkt (§10): the code is redeemed only with a proof of that key', async () => {
    const withoutProof = await redeem('interactive.confidential', await code('interactive.confidential', { dpop_jkt: jkt }));
    refused(withoutProof, 'invalid_dpop_proof');
    refused(await redeem('interactive.confidential', await code('interactive.confidential', { dpop_jkt: jkt }), await proof(other)), 'invalid_dpop_proof');
    const ok = await redeem('interactive.confidential', await code('interactive.confidential', { dpop_jkt: jkt }), await proof());
    expect(ok.status, ok.text).toBe(200);
    expect(decodeJwt(ok.body.access_token as string).cnf).toEqual({ jkt });
  });

  it('a malformed dpop_jkt is an invalid_request sent to the redirect URI', async () => {
    const flow = await code('interactive.confidential', { dpop_jkt: 'short' });
    expect(flow.callback.searchParams.get('error')).toBe('invalid_request');
  });
});

describe('discovery', () => {
  it('advertises dpop_signing_alg_values_supported (RFC 9449 §5.1)', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.dpop_signing_alg_values_supported).toEqual(['ES256', 'PS256', 'EdDSA', 'RS256']);
  });
});
