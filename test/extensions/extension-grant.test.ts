/** Extension grants: the host validates, Gatehouse's token service issues (through HTTP). */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { extensionGrant, type ExtensionGrantValidator } from '../../src/extensions/extension-grant.js';
import { InvalidRequest } from '../../src/errors.js';
import { noStoreJson } from '../../src/core/types.js';
import type { GrantHandler } from '../../src/context.js';
import { issueTokens } from '../../src/extensions/token-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest, userinfo } from './helpers.js';

const OTP = 'urn:example:grant-type:otp';

/** Accepts otp "123456" for phone "+1555" as alice (sub 1). */
const otpGrant: ExtensionGrantValidator = {
  grantType: OTP,
  parameters: ['otp', 'phone'],
  async validate({ body }) {
    const phone = body.get('phone')?.[0];
    if (!phone) throw new InvalidRequest('phone is required');
    if (body.get('otp')?.[0] !== '123456' || phone !== '+1555') return { ok: false, description: 'wrong or expired code' };
    return { ok: true, subjectId: '1', claims: { otp_verified: true }, amr: ['otp'] };
  },
};

/** A client allowed the OTP grant (and refresh tokens). */
const withOtpClient = (c: ConfigInput) => {
  c.clients!.push({
    clientId: 'otp.app',
    clientSecrets: [{ value: 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=' }],
    allowedGrantTypes: [OTP, 'refresh_token'],
    allowedScopes: ['openid', 'profile', 'api'],
    allowOfflineAccess: true,
  });
};

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('extension grants', () => {
  it('issues an access token and a refresh token for what the validator accepted; discovery lists the grant', async () => {
    s = await startTestServer({ mutate: withOtpClient, options: { extensionGrants: [otpGrant] } });
    const res = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '123456', scope: 'openid profile api offline_access' }, 'otp.app');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile api offline_access' });
    expect(res.body.id_token).toBeUndefined();
    const at = claimsOf(res.body.access_token);
    expect(at).toMatchObject({ sub: '1', client_id: 'otp.app', aud: 'api', otp_verified: true, amr: ['otp'], iss: s.url });
    // The token is a real access token: userinfo answers for it.
    expect((await userinfo(s.url, res.body.access_token)).body).toMatchObject({ sub: '1', name: 'Alice Smith' });
    // Its refresh token works with the built-in refresh grant and keeps the grant's claims.
    const refreshed = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: res.body.refresh_token }, 'otp.app');
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ sub: '1', otp_verified: true });
    const discovery = (await (await fetch(`${s.url}/.well-known/openid-configuration`)).json()) as { grant_types_supported: string[] };
    expect(discovery.grant_types_supported).toContain(OTP);
  });

  it("answers the validator's refusal as invalid_grant and its thrown OAuthError as is", async () => {
    s = await startTestServer({ mutate: withOtpClient, options: { extensionGrants: [otpGrant] } });
    const wrong = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '000000', scope: 'api' }, 'otp.app');
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant', error_description: 'wrong or expired code' } });
    const missing = await tokenRequest(s.url, { grant_type: OTP, otp: '123456', scope: 'api' }, 'otp.app');
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('validates scopes against the client, and refuses clients not allowed the grant', async () => {
    s = await startTestServer({ mutate: withOtpClient, options: { extensionGrants: [otpGrant] } });
    const scope = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '123456', scope: 'email' }, 'otp.app');
    expect(scope).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const other = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '123456', scope: 'api' }, 'm2m');
    expect(other).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });

  it('refuses tokens for a subject the profile service calls inactive', async () => {
    s = await startTestServer({
      mutate: withOtpClient,
      options: { extensionGrants: [otpGrant], profileService: { getProfileData: () => ({}), isActive: ({ caller }) => caller !== 'extension_grant' } },
    });
    const res = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '123456', scope: 'api' }, 'otp.app');
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('lets a hand-written grant handler issue through the token service', async () => {
    const delegation: GrantHandler = {
      grantType: 'urn:example:delegation',
      parameters: ['scope'],
      handle: async (_req, client, ctx) =>
        noStoreJson(await issueTokens(ctx, { client, grantType: 'urn:example:delegation', scopes: ['api'], claims: { delegated: true } })),
    };
    s = await startTestServer({
      mutate: (c) => void c.clients!.find((x) => x.clientId === 'm2m')!.allowedGrantTypes!.push(delegation.grantType),
      options: { grants: [delegation] },
    });
    const res = await tokenRequest(s.url, { grant_type: delegation.grantType }, 'm2m');
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token)).toMatchObject({ sub: 'm2m', delegated: true, scope: 'api' });
    // The same service on the provider object, for code outside a grant handler.
    const client = s.gh.context.clients.find('m2m')!;
    const direct = await s.gh.tokens.issue({ client, grantType: 'urn:example:delegation', scopes: ['api'] });
    expect(claimsOf(direct.access_token)).toMatchObject({ sub: 'm2m', aud: 'api' });
  });

  it('registers through the grants option too (extensionGrant adapter)', async () => {
    s = await startTestServer({ mutate: withOtpClient, options: { grants: [extensionGrant(otpGrant)] } });
    const res = await tokenRequest(s.url, { grant_type: OTP, phone: '+1555', otp: '123456', scope: 'api' }, 'otp.app');
    expect(res.status).toBe(200);
  });
});
