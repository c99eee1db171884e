/**
 * refreshTokenRetryWindow: a rotated-out refresh token presented again by the
 * same authenticated client shortly after its rotation (the rotation's answer
 * was lost) gets a fresh pair while the successor is unused; anything else is
 * reuse and revokes the family (RFC 9700 §4.14.2). Through the real token endpoint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lookupToken } from '../../src/tokens/lookup-token.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createHarness, type Harness, type HarnessOptions } from './context.js';

let h: Harness;
afterEach(async () => h?.close());

const refresh = (token: string, clientId = 'web') => h.token({ grant_type: 'refresh_token', refresh_token: token }, clientId);
const active = async (token: string) => (await lookupToken(h.ctx, token))?.active;

/** A code redemption; returns its refresh token. */
async function start(opts: HarnessOptions = {}, clientId = 'web'): Promise<string> {
  h = await createHarness(opts);
  const res = await h.redeem({ clientId });
  expect(res.status).toBe(200);
  return res.json.refresh_token as string;
}

const expectReuse = (res: { status: number; json: Record<string, any> }) => {
  expect(res.status).toBe(400);
  expect(res.json.error).toBe('invalid_grant');
  expect(res.json.error_description).toMatch(/already been used/);
};

/** A code redemption by the confidential client `web` with a 10 s retry window (opt-in; the default is 0). */
const startConfidential = (opts: HarnessOptions = {}) => start({ ...opts, web: { refreshTokenRetryWindow: 10, ...opts.web } });

describe('refresh token retry window (confidential client, window 10 s)', () => {
  it('a retry within the window gets a fresh pair; the lost successor and its access token are dead', async () => {
    const rt1 = await startConfidential();
    const lost = await refresh(rt1); // its answer never reached the client
    expect(lost.status).toBe(200);
    h.clock.advance(10);
    const retry = await refresh(rt1);
    expect(retry.status).toBe(200);
    const rt3 = retry.json.refresh_token as string;
    expect(rt3).not.toBe(lost.json.refresh_token);
    expect(await active(lost.json.refresh_token)).toBe(false);
    expect(await active(lost.json.access_token)).toBe(false);
    expect(await active(retry.json.access_token)).toBe(true);
    // The fresh token carries on the family.
    const next = await refresh(rt3);
    expect(next.status).toBe(200);
    expect(await active(retry.json.access_token)).toBe(true);
  });

  it('a retry after the window is reuse: the family is revoked', async () => {
    const rt1 = await startConfidential();
    const lost = await refresh(rt1);
    h.clock.advance(11);
    expectReuse(await refresh(rt1));
    expect((await refresh(lost.json.refresh_token)).status).toBe(400);
    expect(await active(lost.json.access_token)).toBe(false);
  });

  it('a retry after the successor was used is reuse: the family is revoked', async () => {
    const rt1 = await startConfidential();
    const second = await refresh(rt1);
    const third = await refresh(second.json.refresh_token);
    expect(third.status).toBe(200);
    expectReuse(await refresh(rt1));
    expect((await refresh(third.json.refresh_token)).status).toBe(400);
    expect(await active(third.json.access_token)).toBe(false);
  });

  it('the successor presented after a retry replaced it is reuse too', async () => {
    const rt1 = await startConfidential();
    const lost = await refresh(rt1);
    const retry = await refresh(rt1);
    expect(retry.status).toBe(200);
    expectReuse(await refresh(lost.json.refresh_token));
    expect((await refresh(retry.json.refresh_token)).status).toBe(400);
  });

  it('another client presenting the token gets invalid_grant and the family stays', async () => {
    const rt1 = await startConfidential();
    const second = await refresh(rt1);
    const other = await refresh(rt1, 'other');
    expect(other.status).toBe(400);
    expect(other.json.error_description).toMatch(/another client/);
    expect((await refresh(second.json.refresh_token)).status).toBe(200);
  });

  it('two retries at the same moment: exactly one gets tokens, the family survives', async () => {
    const backend = createMemoryBackend();
    const rt1 = await startConfidential({ backend });
    expect((await refresh(rt1)).status).toBe(200);
    // From here, both retries look the successor up before either consumes it.
    const findMany = backend.records.findMany.bind(backend.records);
    const waiting: Array<() => void> = [];
    backend.records.findMany = (async (kind, filter) => {
      const found = await findMany(kind, filter);
      if (kind === 'refresh_token' && waiting.length < 2) {
        await new Promise<void>((release) => {
          waiting.push(release);
          if (waiting.length === 2) for (const r of waiting) r();
        });
      }
      return found;
    }) as typeof backend.records.findMany;
    const results = await Promise.all([refresh(rt1), refresh(rt1)]);
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.find((r) => r.status !== 200)?.json.error).toBe('invalid_grant');
    expect((await refresh(won[0].json.refresh_token)).status).toBe(200);
  });

  it('revokes the lost reference access token too', async () => {
    const rt1 = await startConfidential({ web: { accessTokenType: 'reference' } });
    const lost = await refresh(rt1);
    expect(await active(lost.json.access_token)).toBe(true);
    expect((await refresh(rt1)).status).toBe(200);
    expect(await lookupToken(h.ctx, lost.json.access_token)).toBeUndefined();
  });

  it('refreshTokenRetryWindow: 0 (the default) keeps strict reuse detection for a confidential client', async () => {
    const rt1 = await start();
    const lost = await refresh(rt1);
    expectReuse(await refresh(rt1));
    expect((await refresh(lost.json.refresh_token)).status).toBe(400);
  });
});

describe('refresh token retry window (public client: always 0)', () => {
  it('a public client gets no retry window even when one is configured', async () => {
    const rt1 = await start({ spa: { refreshTokenRetryWindow: 10 } }, 'spa');
    const lost = await refresh(rt1, 'spa');
    expect(lost.status).toBe(200);
    expectReuse(await refresh(rt1, 'spa'));
  });

  it('a retry right after rotation is reuse: the family is revoked', async () => {
    const rt1 = await start({}, 'spa');
    const lost = await refresh(rt1, 'spa');
    expect(lost.status).toBe(200);
    expectReuse(await refresh(rt1, 'spa'));
    expect((await refresh(lost.json.refresh_token, 'spa')).status).toBe(400);
    expect(await active(lost.json.access_token)).toBe(false);
  });
});
