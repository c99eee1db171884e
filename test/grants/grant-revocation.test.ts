/**
 * Revoking a grant family reaches its JWT access tokens: RFC 7009 §2.1 (a
 * revoked refresh token SHOULD invalidate the access tokens of the same grant)
 * and RFC 9700 §4.14.2 (refresh token reuse), including the access token of
 * the code redemption after the code record itself has been purged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lookupToken } from '../../src/tokens/lookup-token.js';
import { createHarness, SECRETS, type Harness } from './context.js';

let h: Harness;
afterEach(async () => h?.close());

const active = async (token: string) => (await lookupToken(h.ctx, token))?.active;
const refresh = (token: string) => h.token({ grant_type: 'refresh_token', refresh_token: token });
const revoke = (token: string, clientId = 'web') =>
  h.fetch('/connect/revocation', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${SECRETS[clientId]}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }).toString(),
  });

/** A code redemption and one rotation: [redemption answer, rotation answer]. */
async function family() {
  const first = await h.redeem();
  expect(first.status).toBe(200);
  const second = await refresh(first.json.refresh_token);
  expect(second.status).toBe(200);
  expect(await active(first.json.access_token)).toBe(true);
  expect(await active(second.json.access_token)).toBe(true);
  return [first.json, second.json] as const;
}

describe('revoking a grant family revokes its JWT access tokens', () => {
  it('the revocation endpoint with the current refresh token: every access token of the grant, and the family', async () => {
    h = await createHarness();
    const [first, second] = await family();
    const res = await revoke(second.refresh_token);
    expect(res.status).toBe(200);
    expect(await active(first.access_token)).toBe(false);
    expect(await active(second.access_token)).toBe(false);
    expect((await refresh(second.refresh_token)).json.error).toBe('invalid_grant');
    // The userinfo endpoint refuses them too.
    const ui = await h.fetch('/connect/userinfo', { headers: { authorization: `Bearer ${second.access_token}` } });
    expect(ui.status).toBe(401);
  });

  it('another grant of the same user and client is left alone', async () => {
    h = await createHarness();
    const [, second] = await family();
    const other = await h.redeem();
    await revoke(second.refresh_token);
    expect(await active(other.json.access_token)).toBe(true);
    expect((await refresh(other.json.refresh_token)).status).toBe(200);
  });

  it('the redemption access token is revoked after the code record was purged', async () => {
    h = await createHarness();
    const [first, second] = await family();
    // Past the code's 300 s lifetime, within the access token's hour.
    h.clock.advance(600);
    await h.ctx.backend.records.purgeExpired(h.clock.now());
    expect(await h.ctx.backend.records.findMany('authorization_code', {})).toHaveLength(0);
    expect(await active(first.access_token)).toBe(true);
    await revoke(second.refresh_token);
    expect(await active(first.access_token)).toBe(false);
  });

  it('refresh token reuse revokes the redemption access token too (RFC 9700 §4.14.2)', async () => {
    h = await createHarness();
    const [first, second] = await family();
    h.clock.advance(600);
    await h.ctx.backend.records.purgeExpired(h.clock.now());
    expect((await refresh(first.refresh_token)).json.error).toBe('invalid_grant');
    expect(await active(first.access_token)).toBe(false);
    expect(await active(second.access_token)).toBe(false);
  });

  it("another client's refresh token is not revoked (§2.1)", async () => {
    h = await createHarness();
    const [first, second] = await family();
    expect((await revoke(second.refresh_token, 'other')).status).toBe(200);
    expect(await active(first.access_token)).toBe(true);
    expect((await refresh(second.refresh_token)).status).toBe(200);
  });
});
