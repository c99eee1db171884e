/**
 * The OpenID conformance suite's Implicit OP plan (oidcc-implicit-
 * certification-test-plan, OIDCCImplicitTestPlan) and Form Post Implicit OP
 * plan (oidcc-formpost-implicit-certification-test-plan: the same modules
 * with response_mode=form_post), re-expressed as black-box tests against
 * `gatehouse start` over https, for both response types the plan runs
 * (`id_token`, `id_token token`). One test per module, named after it; the
 * client is the suite's static `conformance.implicit`. See README.md here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rp, type Mode } from './rp.js';
import { startHttpsOp, type HttpsOp } from './https-op.js';
import { frontChannelFlow, responseTypeMissingModule, sharedModules, type PlanVariant } from './front-channel-rp.js';
import { requirePrograms } from '../helpers/requirements.js';

// The https OP's certificate comes from `gatehouse dev-cert` (openssl).
const skip = requirePrograms(['openssl']);
const CLIENT = 'conformance.implicit';

let op: HttpsOp;
beforeAll(async () => {
  if (!skip) op = await startHttpsOp();
});
afterAll(() => op?.close());

describe.skipIf(!!skip).concurrent.each<[string, string, Mode]>([
  ['Implicit OP', 'id_token', 'default'],
  ['Implicit OP', 'id_token token', 'default'],
  ['Form Post Implicit OP', 'id_token', 'form_post'],
  ['Form Post Implicit OP', 'id_token token', 'form_post'],
])('%s, response_type=%s', (_plan, type, mode) => {
  let rp: Rp;
  beforeAll(async () => {
    rp = await new Rp(op.url, mode).init();
  });
  const v: PlanVariant = { type, mode, clientId: CLIENT };
  const ctx = () => ({ rp, issuer: op.url });

  it('discovery advertises the implicit response types, modes and grant', () => {
    expect(rp.discovery.response_types_supported).toEqual(expect.arrayContaining(['id_token', 'id_token token']));
    expect(rp.discovery.response_modes_supported).toEqual(expect.arrayContaining(['fragment', 'form_post']));
    expect(rp.discovery.grant_types_supported).toContain('implicit');
  });

  sharedModules(ctx, v);

  it('oidcc-alternate-happy-flow', async () => {
    // OIDCCScopeEmail with the scope order reversed and the parameters reordered (RFC 6749 §3.3).
    const { front, userinfo } = await frontChannelFlow(rp, CLIENT, { scope: 'email openid', response_type: type, nonce: 'n-alt', client_id: CLIENT });
    expect(userinfo ?? front.idClaims).toMatchObject({ sub: '1', email: 'AliceSmith@example.com' });
  });

  // OP-Response-Missing runs once, in the id_token token variant (OIDCCImplicitTestPlan).
  if (type === 'id_token token') responseTypeMissingModule(ctx, v);
});
