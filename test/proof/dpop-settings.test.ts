/**
 * The provider's DPoP settings: the `dpop` section and the clients'
 * `requireDpop` / `requireDpopNonce` (checked at load), DPoP switched off
 * (a `DPoP` header is ignored, nothing is advertised), and the hook for
 * pushed authorization requests (RFC 9449 §10.1).
 */
import { calculateJwkThumbprint } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { InternalRequest } from '../../src/core/types.js';
import { pushedRequestDpopJkt } from '../../src/endpoints/par-dpop.js';
import { basic, demoConfig, startTestServer, type TestServer } from '../helpers/server.js';
import { token } from '../endpoints/helpers.js';
import { makeProof, proofKey, type ProofKey } from './dpop-proofs.js';

describe('configuration', () => {
  it('defaults: on, the four algorithms, 60 s proofs, 10 s tolerance, no nonce required, 300 s nonce windows', () => {
    const { config } = parseConfig({});
    expect(config.dpop).toEqual({
      enabled: true,
      algorithms: ['ES256', 'PS256', 'EdDSA', 'RS256'],
      proofMaxAge: 60,
      clockTolerance: 10,
      requireNonce: false,
      noncePeriod: 300,
    });
  });

  it('refuses symmetric algorithms and none', () => {
    expect(() => parseConfig({ dpop: { algorithms: ['HS256'] } })).toThrow(ConfigError);
    expect(() => parseConfig({ dpop: { algorithms: ['none'] } })).toThrow(ConfigError);
  });

  it('a client requiring DPoP while DPoP is off fails at load with the path', () => {
    const input = demoConfig() as Record<string, unknown>;
    input.dpop = { enabled: false };
    let err: unknown;
    try {
      parseConfig(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues.map((i) => i.path);
    const at = (id: string) => (demoConfig().clients as { clientId: string }[]).findIndex((c) => c.clientId === id);
    expect(issues).toEqual([`clients[${at('m2m.dpop')}].requireDpop`, `clients[${at('m2m.dpop.nonce')}].requireDpop`]);
  });
});

describe('DPoP switched off', () => {
  let s: TestServer;
  let key: ProofKey;
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        c.dpop = { enabled: false };
        c.clients = c.clients!.filter((x) => !x.clientId.startsWith('m2m.dpop'));
      },
    });
    key = await proofKey();
  });
  afterAll(() => s?.close());

  it('a DPoP header is ignored: a Bearer token without cnf; discovery does not advertise DPoP', async () => {
    const r = await token(
      s.url,
      { grant_type: 'client_credentials' },
      { authorization: basic('m2m', 'secret'), dpop: await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now()) },
    );
    expect(r.body.token_type).toBe('Bearer');
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('dpop_signing_alg_values_supported');
  });
});

describe('the PAR hook (RFC 9449 §10.1)', () => {
  let s: TestServer;
  let key: ProofKey;
  let jkt: string;
  beforeAll(async () => {
    s = await startTestServer();
    key = await proofKey();
    jkt = await calculateJwkThumbprint(key.publicJwk, 'sha256');
  });
  afterAll(() => s?.close());

  const PAR = () => `${s.url}/connect/par`;
  const request = (dpop?: string) => ({ method: 'POST', headers: dpop ? { dpop } : {} }) as unknown as InternalRequest;
  const client = (id: string) => s.gh.context.clients.find(id)!;

  it('the proof of a pushed request gives the key; dpop_jkt alone is kept; neither: none', async () => {
    const ctx = s.gh.context;
    expect(
      await pushedRequestDpopJkt(request(await makeProof(key, 'POST', PAR(), s.clock.now())), ctx, client('interactive.confidential'), PAR(), undefined),
    ).toBe(jkt);
    expect(await pushedRequestDpopJkt(request(), ctx, client('interactive.confidential'), PAR(), jkt)).toBe(jkt);
    expect(await pushedRequestDpopJkt(request(), ctx, client('interactive.confidential'), PAR(), undefined)).toBeUndefined();
  });

  it('a proof that disagrees with dpop_jkt, or for another URI, is invalid_dpop_proof', async () => {
    const ctx = s.gh.context;
    const other = await proofKey();
    await expect(
      pushedRequestDpopJkt(request(await makeProof(other, 'POST', PAR(), s.clock.now())), ctx, client('interactive.confidential'), PAR(), jkt),
    ).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
    await expect(
      pushedRequestDpopJkt(
        request(await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now())),
        ctx,
        client('interactive.confidential'),
        PAR(),
        undefined,
      ),
    ).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
  });
});
