/**
 * Interop: openid-client v6 against a real provider (node:http, demo
 * configuration plus an acr mapping and three pairwise clients): the claims
 * parameter (OIDC Core §5.5) for the ID token and userinfo, essential and
 * values; acr and amr in ID tokens; an essential acr that cannot be met
 * (§5.5.1.1); pairwise subjects (§8): different sectors get different subs,
 * one sector the same sub, userinfo's sub is the ID token's, and the
 * pairwise sub works as id_token_hint at authorize and at end-session.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { ProfileDataRequest } from '../../src/extensions/profile-service.js';
import { defaultProfileService } from '../../src/extensions/profile-service.js';
import { basic, CookieJar, startTestServer, type TestServer } from '../helpers/server.js';
import { CIBA_GRANT, cibaRequest } from '../helpers/ciba.js';
import { signIn } from './user-agent.js';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';
const CONFIDENTIAL_REDIRECT = 'http://localhost:3000/callback';
const insecure = { execute: [oidc.allowInsecureRequests] };

const pairwiseClient = (clientId: string, redirectUri: string) => ({
  clientId,
  clientSecrets: [{ value: SECRET_HASH }],
  allowedGrantTypes: ['authorization_code', 'refresh_token'],
  redirectUris: [redirectUri],
  postLogoutRedirectUris: [`${redirectUri}/signed-out`],
  allowedScopes: ['openid', 'profile', 'email', 'api', 'offline_access'],
  allowOfflineAccess: true,
  subjectType: 'pairwise' as const,
});

let gh: TestServer;
const profileRequests: ProfileDataRequest[] = [];

beforeAll(async () => {
  gh = await startTestServer({
    mutate(c: ConfigInput) {
      c.authentication = { ...c.authentication, acr: { rules: [{ amr: ['pwd', 'otp'], acr: 'urn:gatehouse:mfa' }], default: 'urn:gatehouse:pwd' } };
      c.subjects = { pairwiseSalt: 'a-test-salt-of-sufficient-length' };
      c.clients = [
        ...(c.clients ?? []),
        pairwiseClient('pw.one', 'http://localhost:3000/one'),
        pairwiseClient('pw.two', 'http://localhost:3000/two'),
        pairwiseClient('pw.other', 'http://127.0.0.1:4000/cb'),
        {
          ...pairwiseClient('pw.ciba', 'http://localhost:3000/ciba'),
          allowedGrantTypes: ['authorization_code', CIBA_GRANT],
          backchannelTokenDeliveryMode: 'poll' as const,
        },
      ];
    },
    options: {
      // The default profile service, watched: it is told the claim types the claims parameter asks for.
      profileService: {
        getProfileData(req) {
          profileRequests.push(req);
          return defaultProfileService.getProfileData(req);
        },
        isActive: (req) => defaultProfileService.isActive(req),
      },
    },
  });
});
afterAll(() => gh?.close());

const discover = (clientId: string) => oidc.discovery(new URL(gh.url), clientId, 'secret', oidc.ClientSecretBasic('secret'), insecure);

/** Code + PKCE through the login page; extra authorization parameters (claims, prompt, id_token_hint) as given. */
async function codeFlow(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}, jar?: CookieJar) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    ...extra,
  });
  const { callback, jar: browser, pages } = await signIn(url, redirectUri, { jar });
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
  return { tokens, claims: tokens.claims()!, jar: browser, pages };
}

describe('openid-client v6: the claims parameter (OIDC Core §5.5)', () => {
  it('is advertised, and puts the id_token member in the ID token and the userinfo member in userinfo', async () => {
    const config = await discover('interactive.confidential');
    expect(config.serverMetadata()).toMatchObject({
      claims_parameter_supported: true,
      acr_values_supported: ['urn:gatehouse:mfa', 'urn:gatehouse:pwd', 'http://schemas.openid.net/pape/policies/2007/06/multi-factor'],
    });
    const claims = JSON.stringify({
      id_token: { email: { essential: true }, acr: { essential: true, values: ['urn:gatehouse:pwd', 'urn:gatehouse:mfa'] } },
      userinfo: { name: { essential: true }, given_name: null, website: { value: 'http://alice.example.com' } },
    });
    const { tokens, claims: id } = await codeFlow(config, CONFIDENTIAL_REDIRECT, { claims, claims_locales: 'de fr' });
    // Scope openid alone releases no user claims; the claims parameter asked for these.
    expect(id).toMatchObject({ sub: '1', email: 'AliceSmith@example.com', acr: 'urn:gatehouse:pwd', amr: ['pwd'] });
    expect(id).not.toHaveProperty('name');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
    expect(info).toEqual({ sub: '1', name: 'Alice Smith', given_name: 'Alice', website: 'http://alice.example.com' });
    // The profile service was asked for those claim types per target (besides the openid scope's own sub), never the others.
    const types = (caller: string) =>
      profileRequests.filter((r) => r.caller === caller).map((r) => [...r.requestedClaimTypes].filter((t) => t !== 'sub').sort());
    expect(types('id_token')).toContainEqual(['email']);
    expect(types('userinfo')).toContainEqual(['given_name', 'name', 'website']);
    // OIDC Core §5.2 claims_locales reaches the profile service with the claims request.
    expect(profileRequests.find((r) => r.caller === 'id_token')).toMatchObject({ claimsLocales: 'de fr', claimsRequest: { email: { essential: true } } });
    expect(profileRequests.find((r) => r.caller === 'userinfo')).toMatchObject({ claimsLocales: 'de fr', claimsRequest: { name: { essential: true } } });
  });

  it('keeps the claims request for ID tokens refreshed later (OIDC Core §12.2)', async () => {
    const config = await discover('interactive.confidential');
    const { tokens } = await codeFlow(config, CONFIDENTIAL_REDIRECT, { scope: 'openid offline_access', claims: JSON.stringify({ id_token: { email: null } }) });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ sub: '1', email: 'AliceSmith@example.com', acr: 'urn:gatehouse:pwd' });
  });

  it('fails an essential acr that the sign-in cannot meet (§5.5.1.1) with access_denied after the login', async () => {
    const config = await discover('interactive.confidential');
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:gatehouse:mfa'] } } });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CONFIDENTIAL_REDIRECT,
      scope: 'openid',
      claims,
      state: 'xyz',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const { callback, pages } = await signIn(url, CONFIDENTIAL_REDIRECT);
    expect(pages).toEqual(['login']);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('xyz');
  });

  it('rejects a claims parameter that is not a JSON object with invalid_request, to the client', async () => {
    const config = await discover('interactive.confidential');
    for (const claims of ['{not json', '["userinfo"]', '{"userinfo":{"name":{"essential":"yes"}}}']) {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: CONFIDENTIAL_REDIRECT,
        scope: 'openid',
        claims,
        code_challenge: 'x'.repeat(43),
        code_challenge_method: 'S256',
      });
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(CONFIDENTIAL_REDIRECT);
      expect(location.searchParams.get('error')).toBe('invalid_request');
    }
  });
});

describe('openid-client v6: pairwise subject identifiers (OIDC Core §8)', () => {
  it('gives two clients of one sector the same sub, a client of another sector another, none the local one', async () => {
    const one = await codeFlow(await discover('pw.one'), 'http://localhost:3000/one');
    const two = await codeFlow(await discover('pw.two'), 'http://localhost:3000/two');
    const other = await codeFlow(await discover('pw.other'), 'http://127.0.0.1:4000/cb');
    expect(one.claims.sub).toBe(two.claims.sub);
    expect(other.claims.sub).not.toBe(one.claims.sub);
    for (const sub of [one.claims.sub, other.claims.sub]) expect(sub).not.toBe('1');
    expect((await discover('pw.one')).serverMetadata().subject_types_supported).toEqual(['public', 'pairwise']);
  });

  it("answers userinfo with the ID token's sub, also after a refresh, and the access token carries it too", async () => {
    const config = await discover('pw.other');
    const { tokens, claims } = await codeFlow(config, 'http://127.0.0.1:4000/cb', { scope: 'openid profile offline_access' });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ sub: claims.sub, name: 'Alice Smith' });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(claims.sub);
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub)).sub).toBe(claims.sub);
    const accessClaims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(accessClaims.sub).toBe(claims.sub);
    expect(JSON.stringify(accessClaims)).not.toContain('"1"');
    // The client introspecting its own tokens sees the pairwise sub (refresh token included), never the local one.
    for (const token of [tokens.access_token, refreshed.refresh_token!]) {
      const intro = await oidc.tokenIntrospection(config, token);
      expect(intro).toMatchObject({ active: true, sub: claims.sub });
      expect(intro).not.toHaveProperty('gh_sub');
    }
  });

  it('accepts its pairwise sub as id_token_hint at authorize (prompt=none) and at end-session', async () => {
    const config = await discover('pw.one');
    const first = await codeFlow(config, 'http://localhost:3000/one');
    const again = await codeFlow(config, 'http://localhost:3000/one', { prompt: 'none', id_token_hint: first.tokens.id_token! }, first.jar);
    expect(again.pages).toEqual([]);
    expect(again.claims.sub).toBe(first.claims.sub);
    // The hint names the signed-in user: no confirmation page, straight back to the client.
    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: first.tokens.id_token!,
      post_logout_redirect_uri: 'http://localhost:3000/one/signed-out',
    });
    const res = await first.jar.fetch(endSession.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('http://localhost:3000/one/signed-out');
  });

  it('lets another client exchange its access token (RFC 8693): the user is found behind the pairwise sub', async () => {
    const { tokens, claims } = await codeFlow(await discover('pw.other'), 'http://127.0.0.1:4000/cb', { scope: 'openid api' });
    const res = await fetch(`${gh.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('exchange', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: tokens.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        scope: 'api',
      }),
    });
    expect(res.status).toBe(200);
    const exchanged = (await res.json()) as { access_token: string };
    const payload = JSON.parse(Buffer.from(exchanged.access_token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    // The exchange client is public: it sees the user's local subject, not pw.other's pairwise one.
    expect(claims.sub).not.toBe('1');
    expect(payload.sub).toBe('1');
  });

  it('accepts its pairwise sub as id_token_hint at the CIBA endpoint while the session of the ID token lives', async () => {
    const { tokens } = await codeFlow(await discover('pw.ciba'), 'http://localhost:3000/ciba');
    const ok = await cibaRequest(gh.url, { scope: 'openid', id_token_hint: tokens.id_token! }, basic('pw.ciba', 'secret'));
    expect(ok.status).toBe(200);
    expect(typeof ok.body.auth_req_id).toBe('string');
  });
});
