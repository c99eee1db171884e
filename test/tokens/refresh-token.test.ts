import { afterEach, describe, expect, it } from 'vitest';
import { compileClient } from '../../src/config/compile.js';
import { clientSchema } from '../../src/config/schema.js';
import { handleId } from '../../src/tokens/handles.js';
import { absoluteRefreshExpiry, issueRefreshToken, refreshTokenExpiresAt } from '../../src/tokens/refresh-token.js';
import { createHarness, NOW, type Harness } from '../grants/context.js';

const clientWith = (extra: Record<string, unknown>) => compileClient(clientSchema.parse({ clientId: 'c', ...extra }));

describe('refresh token lifetimes', () => {
  it('absolute: a fixed end from the first issuance', () => {
    const c = clientWith({ absoluteRefreshTokenLifetime: 1000 });
    const end = absoluteRefreshExpiry(c, NOW);
    expect(end).toBe(NOW + 1000);
    expect(refreshTokenExpiresAt(c, NOW, end)).toBe(NOW + 1000);
    expect(refreshTokenExpiresAt(c, NOW + 600, end)).toBe(NOW + 1000);
  });

  it('sliding: each issuance extends by the sliding lifetime, capped by the absolute end', () => {
    const c = clientWith({ refreshTokenExpiration: 'sliding', slidingRefreshTokenLifetime: 100, absoluteRefreshTokenLifetime: 250 });
    const end = absoluteRefreshExpiry(c, NOW);
    expect(refreshTokenExpiresAt(c, NOW, end)).toBe(NOW + 100);
    expect(refreshTokenExpiresAt(c, NOW + 180, end)).toBe(NOW + 250);
  });

  it('sliding with absolute lifetime 0 has no absolute end (IdentityServer)', () => {
    const c = clientWith({ refreshTokenExpiration: 'sliding', slidingRefreshTokenLifetime: 100, absoluteRefreshTokenLifetime: 0 });
    const end = absoluteRefreshExpiry(c, NOW);
    expect(refreshTokenExpiresAt(c, NOW + 10 ** 8, end)).toBe(NOW + 10 ** 8 + 100);
  });
});

describe('issueRefreshToken', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('stores only the hash of the handle, in the grant family', async () => {
    h = await createHarness();
    const client = h.ctx.clients.find('web')!;
    const handle = await issueRefreshToken(h.ctx, {
      client,
      subjectId: 'alice',
      sessionId: 'sid-1',
      grantId: 'family-1',
      payload: { scopes: ['openid', 'offline_access'], audiences: [], absoluteExpiresAt: NOW + 50, authTime: NOW },
    });
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rec = await h.ctx.backend.records.find('refresh_token', handleId(handle));
    expect(rec).toMatchObject({
      kind: 'refresh_token',
      subjectId: 'alice',
      clientId: 'web',
      sessionId: 'sid-1',
      grantId: 'family-1',
      createdAt: NOW,
      expiresAt: NOW + 50,
    });
    expect(JSON.stringify(rec)).not.toContain(handle);
    expect(await h.ctx.backend.records.deleteByGrantId('family-1')).toBe(1);
  });
});
