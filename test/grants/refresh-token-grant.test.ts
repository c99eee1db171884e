import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupToken } from '../../src/tokens/lookup-token.js';
import { createHarness, readTogetherBackend, jwtClaims, NOW, type HarnessOptions, type Harness } from './context.js';

let h: Harness;
afterEach(async () => h?.close());

const refresh = (token: string, extra: Record<string, string | string[]> = {}, clientId?: string) =>
  h.token({ grant_type: 'refresh_token', refresh_token: token, ...extra }, clientId);

async function start(opts: HarnessOptions = {}, subjectId?: string): Promise<string> {
  h = await createHarness(opts);
  if (subjectId === 'carol') {
    await h.ctx.backend.users.insert({
      subjectId: 'carol',
      username: 'carol',
      passwordHash: '$argon2id$unused',
      claims: { name: 'Carol' },
      isActive: true,
      createdAt: NOW,
      updatedAt: NOW,
    });
  }
  const res = await h.redeem({ subjectId });
  expect(res.status).toBe(200);
  return res.json.refresh_token as string;
}

const expectInvalidGrant = (res: { status: number; json: Record<string, any> }, description?: RegExp) => {
  expect(res.status).toBe(400);
  expect(res.json.error).toBe('invalid_grant');
  if (description) expect(res.json.error_description).toMatch(description);
};

describe('refresh_token grant: rotation (oneTimeOnly)', () => {
  it('issues new tokens and a new refresh token, and a new ID token per OIDC Core §12.2', async () => {
    const rt1 = await start();
    h.clock.advance(600);
    const res = await refresh(rt1);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.json.refresh_token).not.toBe(rt1);
    expect(res.json.scope).toBe('openid profile email api.read offline_access');
    const at = jwtClaims(res.json.access_token);
    expect(at).toMatchObject({ sub: 'alice', aud: 'orders', iat: NOW + 600, auth_time: NOW - 30, sid: 'sid-1', role: 'admin', department: 'sales' });
    const id = jwtClaims(res.json.id_token);
    expect(id).toMatchObject({ iss: 'https://id.example.com', sub: 'alice', aud: 'web', auth_time: NOW - 30, iat: NOW + 600, sid: 'sid-1' });
    expect(id.nonce).toBeUndefined();
    expect(id.at_hash).toBe(createHash('sha256').update(res.json.access_token).digest().subarray(0, 16).toString('base64url'));
  });

  it('refuses the old token afterwards and then revokes the whole family (RFC 9700 §4.14.2)', async () => {
    // Strict reuse detection (no retry window; see refresh-retry-window.test.ts for the window).
    const rt1 = await start({ web: { refreshTokenRetryWindow: 0 } });
    const second = await refresh(rt1);
    const rt2 = second.json.refresh_token as string;
    expect((await lookupToken(h.ctx, second.json.access_token))?.active).toBe(true);

    expectInvalidGrant(await refresh(rt1), /already been used/);
    // The family is gone: the current refresh token too, and the access token its rotation issued.
    expectInvalidGrant(await refresh(rt2), /invalid or expired/);
    expect((await lookupToken(h.ctx, second.json.access_token))?.active).toBe(false);
  });

  it('revokes JWT access tokens along a longer rotation chain', async () => {
    const rt1 = await start();
    const r2 = await refresh(rt1);
    const r3 = await refresh(r2.json.refresh_token);
    expect(r3.status).toBe(200);
    await refresh(rt1);
    expect((await lookupToken(h.ctx, r2.json.access_token))?.active).toBe(false);
    expect((await lookupToken(h.ctx, r3.json.access_token))?.active).toBe(false);
    expectInvalidGrant(await refresh(r3.json.refresh_token));
  });

  it('two uses that read the token at the same moment: exactly one rotates, its tokens stay valid; a later reuse revokes the family', async () => {
    const rt1 = await start({ backend: readTogetherBackend('refresh_token'), web: { refreshTokenRetryWindow: 0 } });
    const results = await Promise.all([refresh(rt1), refresh(rt1)]);
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expectInvalidGrant(results.find((r) => r.status !== 200)!);
    const winner = won[0].json;
    expect((await lookupToken(h.ctx, winner.access_token))?.active).toBe(true);
    // RFC 9700 §4.14.2: the next use of the spent token is reuse and ends the family.
    expectInvalidGrant(await refresh(rt1));
    expectInvalidGrant(await refresh(winner.refresh_token));
    expect((await lookupToken(h.ctx, winner.access_token))?.active).toBe(false);
  });

  it('keeps the absolute end of the family across rotations', async () => {
    const rt1 = await start({ web: { absoluteRefreshTokenLifetime: 1000 } });
    h.clock.advance(500);
    const rt2 = (await refresh(rt1)).json.refresh_token as string;
    h.clock.advance(499);
    const rt3 = (await refresh(rt2)).json.refresh_token as string;
    expect(rt3).toBeTypeOf('string');
    h.clock.advance(1); // NOW + 1000
    expectInvalidGrant(await refresh(rt3), /invalid or expired/);
  });

  it('slides the expiry with each use, up to the absolute lifetime', async () => {
    const rt1 = await start({ web: { refreshTokenExpiration: 'sliding', slidingRefreshTokenLifetime: 100, absoluteRefreshTokenLifetime: 250 } });
    h.clock.advance(90);
    const rt2 = (await refresh(rt1)).json.refresh_token as string;
    h.clock.advance(90); // +180: rt2 lives until +190
    const rt3 = (await refresh(rt2)).json.refresh_token as string;
    expect(rt3).toBeTypeOf('string');
    h.clock.advance(70); // +250: the absolute end, although the slide would reach +280
    expectInvalidGrant(await refresh(rt3), /invalid or expired/);
  });

  it('expires an idle sliding token', async () => {
    const rt1 = await start({ web: { refreshTokenExpiration: 'sliding', slidingRefreshTokenLifetime: 100 } });
    h.clock.advance(100);
    expectInvalidGrant(await refresh(rt1), /invalid or expired/);
  });
});

describe('refresh_token grant: reUse', () => {
  it('keeps the same refresh token valid', async () => {
    const rt = await start({ web: { refreshTokenUsage: 'reUse' } });
    const a = await refresh(rt);
    const b = await refresh(rt);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.refresh_token).toBe(rt);
    expect(a.json.access_token).not.toBe(b.json.access_token);
  });

  it('extends a sliding token on use', async () => {
    const rt = await start({ web: { refreshTokenUsage: 'reUse', refreshTokenExpiration: 'sliding', slidingRefreshTokenLifetime: 100 } });
    h.clock.advance(90);
    expect((await refresh(rt)).status).toBe(200);
    h.clock.advance(90); // +180, alive until +190 after the slide
    expect((await refresh(rt)).status).toBe(200);
    h.clock.advance(100);
    expectInvalidGrant(await refresh(rt), /invalid or expired/);
  });
});

describe('refresh_token grant: scope and refusals', () => {
  it('issues a narrower scope (RFC 6749 §6) while the refresh token keeps the original', async () => {
    const rt1 = await start();
    const narrow = await refresh(rt1, { scope: 'openid api.read' });
    expect(narrow.status).toBe(200);
    expect(narrow.json.scope).toBe('openid api.read');
    expect(jwtClaims(narrow.json.access_token).scope).toBe('openid api.read');
    const full = await refresh(narrow.json.refresh_token);
    expect(full.json.scope).toBe('openid profile email api.read offline_access');
  });

  it('issues no ID token when openid is left out', async () => {
    const rt1 = await start();
    const res = await refresh(rt1, { scope: 'api.read' });
    expect(res.status).toBe(200);
    expect(res.json.id_token).toBeUndefined();
  });

  it('refuses a wider scope with invalid_scope, without using the token', async () => {
    const rt1 = await start();
    const res = await refresh(rt1, { scope: 'openid api.write' });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('invalid_scope');
    expect((await refresh(rt1)).status).toBe(200);
  });

  it("refuses another client's refresh token, without revoking it", async () => {
    const rt1 = await start();
    expectInvalidGrant(await refresh(rt1, {}, 'other'), /another client/);
    expect((await refresh(rt1)).status).toBe(200);
  });

  it('refuses unknown and missing refresh tokens', async () => {
    await start();
    expectInvalidGrant(await refresh('unknown-token'), /invalid or expired/);
    expect((await h.token({ grant_type: 'refresh_token' })).json.error).toBe('invalid_request');
  });

  it('refuses an expired refresh token', async () => {
    const rt1 = await start();
    h.clock.advance(2592000); // absoluteRefreshTokenLifetime default
    expectInvalidGrant(await refresh(rt1), /invalid or expired/);
  });

  it('refuses when the user is no longer active', async () => {
    const rt1 = await start({}, 'carol');
    await h.ctx.backend.users.update('carol', { isActive: false });
    expectInvalidGrant(await refresh(rt1), /no longer active/);
  });

  it('refreshes user claims only with updateAccessTokenClaimsOnRefresh', async () => {
    const rt1 = await start({}, 'carol');
    await h.ctx.backend.users.update('carol', { claims: { role: 'auditor' } });
    expect(jwtClaims((await refresh(rt1)).json.access_token).role).toBeUndefined();
    await h.close();
    const rt2 = await start({ web: { updateAccessTokenClaimsOnRefresh: true } }, 'carol');
    await h.ctx.backend.users.update('carol', { claims: { role: 'auditor' } });
    expect(jwtClaims((await refresh(rt2)).json.access_token).role).toBe('auditor');
  });
});
