/**
 * The OpenID conformance suite's Hybrid OP plan (oidcc-hybrid-certification-
 * test-plan, OIDCCHybridTestPlan) and Form Post Hybrid OP plan (oidcc-
 * formpost-hybrid-certification-test-plan: the same modules with
 * response_mode=form_post), re-expressed as black-box tests against
 * `gatehouse start` over https, for the three response types the plan runs
 * (`code id_token`, `code token`, `code id_token token`). One test per module,
 * named after it; the clients are the suite's static `conformance.hybrid` and
 * `conformance.hybrid2`. See README.md here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rp, pkce, type Mode } from './rp.js';
import { startHttpsOp, type HttpsOp } from './https-op.js';
import { expectFrontChannel, frontChannelFlow, responseTypeMissingModule, sharedModules, type PlanVariant } from './front-channel-rp.js';
import { requirePrograms } from '../helpers/requirements.js';

// The https OP's certificate comes from `gatehouse dev-cert` (openssl).
const skip = requirePrograms(['openssl']);
const CLIENT = 'conformance.hybrid';
const CLIENT2 = 'conformance.hybrid2';

let op: HttpsOp;
beforeAll(async () => {
  if (!skip) op = await startHttpsOp();
});
afterAll(() => op?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!skip).concurrent.each<[string, string, Mode]>([
  ['Hybrid OP', 'code id_token', 'default'],
  ['Hybrid OP', 'code token', 'default'],
  ['Hybrid OP', 'code id_token token', 'default'],
  ['Form Post Hybrid OP', 'code id_token', 'form_post'],
  ['Form Post Hybrid OP', 'code token', 'form_post'],
  ['Form Post Hybrid OP', 'code id_token token', 'form_post'],
])('%s, response_type=%s', (_plan, type, mode) => {
  let rp: Rp;
  beforeAll(async () => {
    rp = await new Rp(op.url, mode).init();
  });
  const v: PlanVariant = { type, mode, clientId: CLIENT, clientId2: CLIENT2 };
  const ctx = () => ({ rp, issuer: op.url });
  const flow = (overrides: Record<string, string | undefined> = {}, opts: Parameters<typeof frontChannelFlow>[3] = {}) =>
    frontChannelFlow(rp, CLIENT, { response_type: type, ...overrides }, opts);

  it('discovery advertises the hybrid response types', () => {
    expect(rp.discovery.response_types_supported).toEqual(expect.arrayContaining(['code id_token', 'code token', 'code id_token token']));
  });

  sharedModules(ctx, v);

  if (type === 'code id_token') {
    responseTypeMissingModule(ctx, v);

    it('oidcc-alternate-happy-flow', async () => {
      const { userinfo } = await flow({ scope: 'email openid' });
      expect(userinfo).toMatchObject({ sub: '1', email: 'AliceSmith@example.com' });
    });

    it('oidcc-ensure-request-with-valid-pkce-succeeds', async () => {
      const { verifier, challenge } = await pkce();
      const sent = rp.request({ response_type: type, code_challenge: challenge, code_challenge_method: 'S256' }, CLIENT);
      const front = await expectFrontChannel(rp, await rp.authorize(sent), sent, CLIENT);
      const { claims } = await rp.expectTokens(await rp.exchange(front.code!, { code_verifier: verifier }, 'basic', CLIENT), {
        nonce: sent.nonce,
        clientId: CLIENT,
      });
      expect(claims.sub).toBe('1');
    });
  }

  it('oidcc-server-client-secret-post', async () => {
    expect(rp.discovery.token_endpoint_auth_methods_supported).toContain('client_secret_post');
    const { claims } = await flow({}, { auth: 'post' });
    expect(claims.sub).toBe('1');
  });

  /** OP-OAuth-2nd and OP-OAuth-2nd-Revokes: a reused code fails and revokes what its first use issued. */
  async function codeReuse(waitMs: number) {
    const sent = rp.request({ response_type: type, scope: 'openid offline_access', prompt: 'consent' }, CLIENT);
    const front = await expectFrontChannel(rp, await rp.authorize(sent), sent, CLIENT);
    const first = await rp.expectTokens(await rp.exchange(front.code!, {}, 'basic', CLIENT), { nonce: sent.nonce, clientId: CLIENT });
    await rp.expectUserinfo(first.body.access_token, first.claims.sub!);
    if (waitMs) await sleep(waitMs);
    const second = await rp.exchange(front.code!, {}, 'basic', CLIENT);
    expect(second.status).toBe(400);
    expect(second.headers.get('content-type')).toMatch(/^application\/json/);
    expect(second.body.error).toBe('invalid_grant');
    expect(second.body.error_description).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/);
    expect(second.body.access_token).toBeUndefined();
    const after = await rp.userinfo(first.body.access_token);
    expect(after.status).toBe(401);
    // The access token of the authorization response too (beyond the suite: RFC 6749 §4.1.2 "all tokens").
    if (front.accessToken) expect((await rp.userinfo(front.accessToken)).status).toBe(401);
    if (first.body.refresh_token)
      expect((await rp.token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, 'basic', CLIENT)).body.error).toBe('invalid_grant');
  }

  it('oidcc-codereuse', () => codeReuse(0));

  // The suite waits 30 s; the answer has no time dependence within the code lifetime (as in basic-op.test.ts).
  it('oidcc-codereuse-30seconds', () => codeReuse(1000));

  it('oidcc-refresh-token', async () => {
    expect(rp.discovery.grant_types_supported).toContain('refresh_token');
    const first = await flow({ scope: 'openid offline_access', prompt: 'consent' });
    const refreshToken = first.tokenBody!.refresh_token as string;
    expect(refreshToken).toMatch(/^[\x20-\x7e]+$/);
    // Never from the authorization endpoint (OIDC Core §11).
    expect(first.front.params.get('refresh_token')).toBeNull();
    const refreshed = await rp.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'basic', CLIENT);
    expect(refreshed.status).toBe(200);
    if (refreshed.body.id_token) {
      const c = await rp.verifyIdToken(refreshed.body.id_token, CLIENT);
      expect(c.sub).toBe(first.claims.sub);
      expect(c.auth_time).toBe(first.claims.auth_time);
    }
    expect((await rp.userinfo(refreshed.body.access_token)).status).toBe(200);
    // Bound to its client: client 2's refresh token does not work for client 1.
    const second = await frontChannelFlow(rp, CLIENT2, { response_type: type, scope: 'openid offline_access', prompt: 'consent' });
    const cross = await rp.token({ grant_type: 'refresh_token', refresh_token: second.tokenBody!.refresh_token }, 'basic', CLIENT);
    expect(cross.status).toBe(400);
    expect(cross.body.error).toBe('invalid_grant');
  });
});
