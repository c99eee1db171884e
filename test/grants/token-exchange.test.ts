/**
 * RFC 8693 token exchange through real HTTP: impersonation (§1.1),
 * delegation with the `act` claim (§4.1, nested), `may_act` (§4.4), the
 * response (§2.2.1), subject tokens of every kind Gatehouse issues, foreign
 * tokens through the host's validator, and discovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, basic, type TestServer } from '../helpers/server.js';
import { calculateJwkThumbprint } from 'jose';
import { introspectAsApi, post, token } from '../endpoints/helpers.js';
import { makeProof, proofKey } from '../proof/dpop-proofs.js';
import { AT, GRANT, ID, JWT, PARTNER, claimsOf, clientToken, exchange, partner, userTokens, withExchangeClients } from './token-exchange-fixture.js';

let s: TestServer;
let bare: TestServer;
let p: Awaited<ReturnType<typeof partner>>;
let alice: Awaited<ReturnType<typeof userTokens>>;

beforeAll(async () => {
  p = await partner();
  s = await startTestServer({
    mutate: withExchangeClients,
    options: {
      subjectTokenValidator: p.validator,
      // A host's validator sees the grant and may add claims, but never sets act.
      tokenRequestValidator: {
        validate(context) {
          if (context.grantType !== GRANT) return;
          context.accessTokenClaims.exchanged_for = context.subjectId;
          context.accessTokenClaims.act = { sub: 'forged' };
          context.accessTokenClaims.may_act = { sub: 'forged' };
        },
      },
    },
  });
  // No client has the grant here.
  bare = await startTestServer({ mutate: (c) => void (c.clients = (c.clients ?? []).filter((x) => x.clientId !== 'exchange')) });
  alice = await userTokens(s.url);
});
afterAll(async () => {
  await s.close();
  await bare.close();
});

describe('token exchange: impersonation (no actor_token)', () => {
  it('exchanges alice’s access token for one of the exchange client, same subject, scope api, audience api (RFC 8693 §2.2.1)', async () => {
    const r = await exchange(s.url, { subject_token: alice.access, subject_token_type: AT });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('no-store');
    expect(r.body).toMatchObject({ issued_token_type: AT, token_type: 'Bearer', scope: 'api' });
    expect(r.body.refresh_token).toBeUndefined();
    const c = claimsOf(r.body.access_token as string);
    const original = claimsOf(alice.access);
    expect(c).toMatchObject({ iss: s.url, sub: '1', client_id: 'exchange', aud: 'api', scope: 'api', auth_time: original.auth_time, exchanged_for: '1' });
    expect(c.act).toBeUndefined();
    expect(c.may_act).toBeUndefined();
    expect(c.jti).not.toBe(original.jti);
    // The exchanged token does not outlive the subject token.
    expect(c.exp as number).toBeLessThanOrEqual(original.exp as number);
    // It is a real access token: the demo API and introspection accept it.
    const api = await fetch(`${s.url}/api/test`, { headers: { authorization: `Bearer ${String(r.body.access_token)}` } });
    expect(api.status).toBe(200);
    const intro = await introspectAsApi(s.url, r.body.access_token as string);
    expect(intro.body).toMatchObject({ active: true, sub: '1', client_id: 'exchange' });
  });

  it('accepts an explicit requested_token_type access_token and audience api', async () => {
    const r = await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, requested_token_type: AT, audience: 'api', scope: 'api' });
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string).aud).toBe('api');
  });

  it('exchanges a client credentials token: the subject stays the client that got it', async () => {
    const r = await exchange(s.url, { subject_token: await clientToken(s.url), subject_token_type: AT });
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string)).toMatchObject({ sub: 'm2m', client_id: 'exchange', aud: 'api' });
  });

  it('exchanges a reference access token', async () => {
    const ref = await clientToken(s.url, 'm2m.ref');
    expect(ref.split('.')).toHaveLength(1);
    const r = await exchange(s.url, { subject_token: ref, subject_token_type: AT });
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string).sub).toBe('m2m.ref');
  });

  it('caps the exchanged token’s lifetime at the subject token’s remaining lifetime', async () => {
    const short = await clientToken(s.url, 'm2m.short');
    const r = await exchange(s.url, { subject_token: short, subject_token_type: AT });
    expect(r.status).toBe(200);
    expect(r.body.expires_in).toBeLessThanOrEqual(75);
    expect(claimsOf(r.body.access_token as string).exp).toBe(claimsOf(short).exp);
  });

  it('exchanges an ID token where the policy accepts ID tokens (exchange.narrow)', async () => {
    // exchange.narrow allows delegation only: the actor is the m2m client.
    const r = await exchange(
      s.url,
      { subject_token: alice.id, subject_token_type: ID, actor_token: await clientToken(s.url), actor_token_type: AT, scope: 'api' },
      'exchange.narrow',
    );
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string)).toMatchObject({ sub: '1', client_id: 'exchange.narrow', aud: 'api', act: { sub: 'm2m' } });
  });
});

describe('token exchange: DPoP (RFC 9449 §5)', () => {
  it('with a DPoP proof the exchanged token is bound to its key (token_type DPoP, cnf.jkt), and a bound token is not exchanged again', async () => {
    const key = await proofKey('ES256');
    const dpop = await makeProof(key, 'POST', `${s.url}/connect/token`, s.clock.now());
    const r = await token(
      s.url,
      { grant_type: GRANT, subject_token: alice.access, subject_token_type: AT },
      { authorization: basic('exchange', 'secret'), dpop },
    );
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(claimsOf(r.body.access_token as string).cnf).toEqual({ jkt: await calculateJwkThumbprint(key.publicJwk) });
    // The bound token is usable only with proofs of that key, which an exchange does not show.
    const again = await exchange(s.url, { subject_token: r.body.access_token as string, subject_token_type: AT });
    expect(again.body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/sender-constrained/) });
  });
});

describe('token exchange: delegation (actor_token, RFC 8693 §4.1)', () => {
  it('names the actor in act; no iss for an actor of this issuer', async () => {
    const actor = await clientToken(s.url);
    const r = await exchange(s.url, { subject_token: alice.access, subject_token_type: AT, actor_token: actor, actor_token_type: AT });
    expect(r.status).toBe(200);
    const c = claimsOf(r.body.access_token as string);
    expect(c).toMatchObject({ sub: '1', client_id: 'exchange' });
    expect(c.act).toEqual({ sub: 'm2m' });
  });

  it('nests the actor token’s own act (a chain of delegation), and impersonation keeps a delegated subject’s act', async () => {
    const delegated = await exchange(s.url, {
      subject_token: alice.access,
      subject_token_type: AT,
      actor_token: await clientToken(s.url),
      actor_token_type: AT,
    });
    const bob = await userTokens(s.url, 'bob');
    // alice's delegated token acts for bob: act is alice, and before her m2m.
    const chained = await exchange(s.url, {
      subject_token: bob.access,
      subject_token_type: AT,
      actor_token: delegated.body.access_token as string,
      actor_token_type: AT,
    });
    expect(chained.status).toBe(200);
    expect(claimsOf(chained.body.access_token as string)).toMatchObject({ sub: '2', act: { sub: '1', act: { sub: 'm2m' } } });
    // Exchanging the delegated token without an actor does not drop its act.
    const again = await exchange(s.url, { subject_token: delegated.body.access_token as string, subject_token_type: AT });
    expect(again.status).toBe(200);
    expect(claimsOf(again.body.access_token as string).act).toEqual({ sub: 'm2m' });
  });

  it('accepts an actor that may_act names (RFC 8693 §4.4)', async () => {
    const subject = await p.sign({ sub: 'p-7', may_act: { sub: 'm2m', iss: s.url } });
    const r = await exchange(s.url, { subject_token: subject, subject_token_type: JWT, actor_token: await clientToken(s.url), actor_token_type: AT });
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string)).toMatchObject({ sub: 'p-7', act: { sub: 'm2m' } });
  });

  it('a may_act naming the exchanging client lets it impersonate', async () => {
    const subject = await p.sign({ sub: 'p-8', may_act: { sub: 'exchange', iss: s.url } });
    const r = await exchange(s.url, { subject_token: subject, subject_token_type: JWT });
    expect(r.status).toBe(200);
  });
});

describe('token exchange: foreign subject tokens (subjectTokenValidator)', () => {
  it('issues for the subject the host vouches for, with its extra claims but never its protocol claims', async () => {
    const calls = p.calls.length;
    const r = await exchange(s.url, { subject_token: await p.sign({ sub: 'p-42' }), subject_token_type: JWT });
    expect(r.status).toBe(200);
    expect(p.calls.length).toBe(calls + 1);
    const c = claimsOf(r.body.access_token as string);
    expect(c).toMatchObject({ iss: s.url, sub: 'p-42', client_id: 'exchange', aud: 'api', scope: 'api', partner_tier: 'gold' });
    expect(c.act).toBeUndefined();
  });

  it('an actor from the partner is named with its issuer', async () => {
    const r = await exchange(s.url, {
      subject_token: alice.access,
      subject_token_type: AT,
      actor_token: await p.sign({ sub: 'agent-1' }),
      actor_token_type: JWT,
    });
    expect(r.status).toBe(200);
    expect(claimsOf(r.body.access_token as string).act).toEqual({ sub: 'agent-1', iss: PARTNER });
  });
});

describe('token exchange: discovery', () => {
  it('lists the grant when a client has it, and not otherwise', async () => {
    const doc = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect(doc.grant_types_supported).toContain(GRANT);
    const none = (await (await fetch(`${bare.url}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect(none.grant_types_supported).not.toContain(GRANT);
    expect(none.grant_types_supported).toContain('client_credentials');
  });

  it('the bare server refuses the grant to a client without it (unauthorized_client)', async () => {
    const r = await post(
      bare.url,
      '/connect/token',
      { grant_type: GRANT, subject_token: 'x', subject_token_type: AT },
      { authorization: basic('m2m', 'secret') },
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unauthorized_client');
  });
});
