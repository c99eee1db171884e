import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/users/password-hash.js';

describe('password hashing', () => {
  it('produces argon2id PHC strings with the OWASP parameters and a fresh salt', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const h = await hashPassword('pässwörd 🔑');
    expect(await verifyPassword(h, 'pässwörd 🔑')).toBe(true);
    expect(await verifyPassword(h, 'pässwörd 🔑 ')).toBe(false);
    expect(await verifyPassword(h, '')).toBe(false);
  });

  it('never throws on a malformed hash', async () => {
    for (const bad of ['', 'plain', '$argon2id$', '$argon2id$v=19$m=19456,t=2,p=1$!!$??', '$2b$10$abcdefghijklmnopqrstuv']) {
      await expect(verifyPassword(bad, 'x')).resolves.toBe(false);
    }
    await expect(verifyPassword(undefined as unknown as string, 'x')).resolves.toBe(false);
  });
});
