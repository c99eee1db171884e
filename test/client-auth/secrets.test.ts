import { describe, expect, it } from 'vitest';
import { hashSecret, hasUsableSecret, matchesExpiredSecret, matchesSecret } from '../../src/client-auth/secrets.js';
import type { SecretConfig } from '../../src/config/schema.js';
import { NOW } from './context.js';

const shared = (plain: string, expiration?: string): SecretConfig => ({ type: 'SharedSecret', value: hashSecret(plain), expiration });

describe('secrets', () => {
  it('hashes like IdentityServer "secret".Sha256()', () => {
    expect(hashSecret('secret')).toBe('K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=');
  });

  it('matches a shared secret by its SHA-256 and rejects others', () => {
    expect(matchesSecret([shared('s3cret')], 's3cret', NOW)).toBe(true);
    expect(matchesSecret([shared('s3cret')], 's3cret ', NOW)).toBe(false);
    expect(matchesSecret([shared('s3cret')], '', NOW)).toBe(false);
  });

  it('matches a symmetric key stored in plain text', () => {
    const key: SecretConfig = { type: 'SymmetricKey', value: 'plain-key' };
    expect(matchesSecret([key], 'plain-key', NOW)).toBe(true);
    expect(matchesSecret([key], 'plain-kex', NOW)).toBe(false);
  });

  it('never matches a stored SharedSecret that is not a digest', () => {
    expect(matchesSecret([{ type: 'SharedSecret', value: 'abc' }], 'abc', NOW)).toBe(false);
  });

  it('skips expired secrets but recognises them as expired', () => {
    const secrets = [shared('old', '2024-12-31T23:59:59Z'), shared('new', '2025-06-01')];
    expect(matchesSecret(secrets, 'old', NOW)).toBe(false);
    expect(matchesExpiredSecret(secrets, 'old', NOW)).toBe(true);
    expect(matchesSecret(secrets, 'new', NOW)).toBe(true);
    expect(matchesExpiredSecret(secrets, 'new', NOW)).toBe(false);
    expect(hasUsableSecret(secrets, NOW)).toBe(true);
    // 2025-06-01 has passed one year later
    expect(hasUsableSecret(secrets, NOW + 365 * 86400)).toBe(false);
    expect(hasUsableSecret(secrets, NOW, 'SymmetricKey')).toBe(false);
  });
});
