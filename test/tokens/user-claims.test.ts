import { describe, expect, it } from 'vitest';
import { compileResources } from '../../src/config/compile.js';
import { configSchema } from '../../src/config/schema.js';
import { claimsForScopes, PROTECTED_CLAIMS } from '../../src/tokens/user-claims.js';

const resources = compileResources(
  configSchema.parse({
    identityResources: ['openid', 'profile', 'email', 'address', 'phone', { name: 'badge', userClaims: ['badge_id', 'sub'], enabled: false }],
    apiScopes: [{ name: 'api.read', userClaims: ['department'] }, { name: 'api.write' }, { name: 'misc' }],
    apiResources: [
      { name: 'orders', scopes: ['api.read', 'api.write'], userClaims: ['role'] },
      { name: 'ledger', scopes: ['api.read'], userClaims: ['cost_center'] },
    ],
  }),
);

const user = {
  sub: 'someone-else',
  iss: 'https://evil.example.com',
  nonce: 'x',
  name: 'Alice Smith',
  given_name: 'Alice',
  family_name: 'Smith',
  locale: 'en',
  email: 'alice@example.com',
  email_verified: false,
  address: { locality: 'Berlin' },
  phone_number: '+49 30 1234',
  role: 'admin',
  department: 'sales',
  cost_center: 'cc-7',
  badge_id: 'b-1',
  unrelated: 'nope',
};

describe('claimsForScopes', () => {
  it('releases the standard identity claims per scope (OIDC Core §5.4)', () => {
    expect(claimsForScopes(resources, user, ['openid', 'profile'], 'identity')).toEqual({
      name: 'Alice Smith',
      given_name: 'Alice',
      family_name: 'Smith',
      locale: 'en',
    });
    expect(claimsForScopes(resources, user, ['openid', 'email'], 'identity')).toEqual({ email: 'alice@example.com', email_verified: false });
    expect(claimsForScopes(resources, user, ['address', 'phone'], 'identity')).toEqual({ address: { locality: 'Berlin' }, phone_number: '+49 30 1234' });
  });

  it('never releases protected claims, and ignores disabled resources and API scopes for identity', () => {
    const out = claimsForScopes(resources, user, ['openid', 'badge', 'api.read'], 'identity');
    expect(out).toEqual({});
    for (const name of ['sub', 'iss', 'aud', 'nonce', 'auth_time', 'sid']) expect(PROTECTED_CLAIMS.has(name)).toBe(true);
  });

  it("releases API scopes' and audience resources' claims for access tokens", () => {
    expect(claimsForScopes(resources, user, ['openid', 'profile', 'api.read'], 'access')).toEqual({
      department: 'sales',
      role: 'admin',
      cost_center: 'cc-7',
    });
    expect(claimsForScopes(resources, user, ['api.write'], 'access')).toEqual({ role: 'admin' });
    expect(claimsForScopes(resources, user, ['misc'], 'access')).toEqual({});
  });

  it('limits resource claims to the given audiences', () => {
    expect(claimsForScopes(resources, user, ['api.read'], 'access', ['ledger'])).toEqual({ department: 'sales', cost_center: 'cc-7' });
  });

  it('leaves out claims the user does not have', () => {
    expect(claimsForScopes(resources, { name: 'Bob', email: null }, ['profile', 'email'], 'identity')).toEqual({ name: 'Bob' });
  });
});
