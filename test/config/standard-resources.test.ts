import { describe, expect, it } from 'vitest';
import { resolveIdentityResource, STANDARD_IDENTITY_RESOURCE_NAMES } from '../../src/config/index.js';

describe('standard identity resources (OIDC Core §5.4)', () => {
  it('defines the standard scopes with their claims', () => {
    expect(STANDARD_IDENTITY_RESOURCE_NAMES).toEqual(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);
    expect(resolveIdentityResource('openid')).toMatchObject({ userClaims: ['sub'], required: true, displayName: 'Your user identifier' });
    expect(resolveIdentityResource('profile')).toMatchObject({
      displayName: 'User profile',
      description: 'Your user profile information (first name, last name, etc.)',
    });
    expect(resolveIdentityResource('profile').userClaims).toHaveLength(14);
    expect(resolveIdentityResource('profile').userClaims).toContain('preferred_username');
    expect(resolveIdentityResource('address').userClaims).toEqual(['address']);
    expect(resolveIdentityResource('phone').userClaims).toEqual(['phone_number', 'phone_number_verified']);
    expect(resolveIdentityResource('offline_access').userClaims).toEqual([]);
  });

  it('returns fresh objects and passes definitions through', () => {
    resolveIdentityResource('email').userClaims.push('mutated');
    expect(resolveIdentityResource('email').userClaims).toEqual(['email', 'email_verified']);
    const custom = { name: 'x', userClaims: [], enabled: true, showInDiscoveryDocument: true, required: false, emphasize: false };
    expect(resolveIdentityResource(custom)).toBe(custom);
  });

  it('throws on an unknown name', () => {
    expect(() => resolveIdentityResource('profiles')).toThrow(/unknown standard identity resource "profiles"/);
  });
});
