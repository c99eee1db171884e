/** The profile service: claims per caller and IdentityServer's isActive semantics, through HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfileService, type IsActiveRequest, type ProfileDataRequest, type ProfileService } from '../../src/extensions/profile-service.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { CookieJar, pkce, startTestServer, type TestServer } from '../helpers/server.js';
import { claimsOf, tokenRequest, userinfo } from './helpers.js';

function recordingProfile(): { service: ProfileService; data: ProfileDataRequest[]; active: IsActiveRequest[]; inactive: Set<string> } {
  const data: ProfileDataRequest[] = [];
  const active: IsActiveRequest[] = [];
  const inactive = new Set<string>();
  return {
    data,
    active,
    inactive,
    service: {
      getProfileData(req) {
        data.push(req);
        const claims: Record<string, unknown> = { ...defaultProfileService.getProfileData(req), department: `dept-of-${req.subject}` };
        // Protocol claims from a profile are dropped, never issued.
        claims.sub = 'forged';
        claims.iss = 'https://evil.example';
        return claims;
      },
      isActive(req) {
        active.push(req);
        return !inactive.has(req.subject);
      },
    },
  };
}

let s: TestServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('profile service', () => {
  it('adds claims to the ID token, the access token and userinfo, with the caller and requested claim types', async () => {
    const p = recordingProfile();
    s = await startTestServer({ options: { profileService: p.service } });
    const flow = await authorizeWithLogin(s.url);
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    expect(tokens.status).toBe(200);
    const id = claimsOf(tokens.body.id_token);
    expect(id).toMatchObject({ sub: '1', department: 'dept-of-1', name: 'Alice Smith', iss: s.url });
    expect(claimsOf(tokens.body.access_token)).toMatchObject({ sub: '1', department: 'dept-of-1', iss: s.url });
    const info = await userinfo(s.url, tokens.body.access_token);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ sub: '1', department: 'dept-of-1', email: 'AliceSmith@example.com' });
    const callers = p.data.map((d) => d.caller);
    expect(callers).toEqual(expect.arrayContaining(['access_token', 'id_token', 'userinfo']));
    const forId = p.data.find((d) => d.caller === 'id_token')!;
    expect([...forId.requestedClaimTypes]).toEqual(expect.arrayContaining(['name', 'email']));
    expect(forId.client.clientId).toBe('interactive.confidential');
    expect(p.active.map((a) => a.caller)).toEqual(['authorize_endpoint', 'authorization_code', 'userinfo']);
  });

  it('keeps the extra claims on refresh', async () => {
    const p = recordingProfile();
    s = await startTestServer({ options: { profileService: p.service } });
    const flow = await authorizeWithLogin(s.url);
    const tokens = await exchangeCode(s.url, flow.code, flow.verifier);
    const refreshed = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(refreshed.body.access_token).department).toBe('dept-of-1');
    expect(p.active.at(-1)?.caller).toBe('refresh_token');
  });

  it('an inactive user gets no new tokens: code exchange and refresh invalid_grant, userinfo 401', async () => {
    const p = recordingProfile();
    s = await startTestServer({ options: { profileService: p.service } });
    const first = await authorizeWithLogin(s.url);
    const tokens = await exchangeCode(s.url, first.code, first.verifier);
    const second = await authorizeWithLogin(s.url, { jar: first.jar });
    p.inactive.add('1');
    const exchange = await exchangeCode(s.url, second.code, second.verifier);
    expect(exchange).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const refreshed = await tokenRequest(s.url, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const info = await userinfo(s.url, tokens.body.access_token);
    expect(info.status).toBe(401);
    expect(info.wwwAuthenticate).toMatch(/error="invalid_token"/);
  });

  it('an inactive user with an existing session is sent to the login page again (login_required with prompt=none)', async () => {
    const p = recordingProfile();
    s = await startTestServer({ options: { profileService: p.service } });
    const jar = new CookieJar();
    await authorizeWithLogin(s.url, { jar });
    const { challenge } = await pkce();
    const q = (extra: Record<string, string> = {}) =>
      new URLSearchParams({
        client_id: 'interactive.confidential',
        redirect_uri: 'http://localhost:3000/callback',
        response_type: 'code',
        scope: 'openid',
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      });
    // Active: the session answers at once with a code.
    const sso = await jar.fetch(`${s.url}/connect/authorize?${q()}`);
    expect(sso.headers.get('location')).toMatch(/^http:\/\/localhost:3000\/callback\?code=/);
    p.inactive.add('1');
    const again = await jar.fetch(`${s.url}/connect/authorize?${q()}`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toContain('/ui/login');
    const none = await jar.fetch(`${s.url}/connect/authorize?${q({ prompt: 'none' })}`);
    expect(new URL(none.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });
});
