import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, importStoredKey, toStoredKey } from '../../src/keys/index.js';
import { signJwt } from '../../src/tokens/sign-jwt.js';
import { randomBytes } from 'node:crypto';

describe('signJwt (node:crypto) produces JWS that jose verifies', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
    it(alg, async () => {
      const kek = randomBytes(32);
      const generated = await generateSigningKey(alg);
      const key = await importStoredKey(toStoredKey(generated, kek, { createdAt: 0, activatesAt: 0, retiresAt: 1 }), kek);
      const token = await signJwt({ sub: 'x', iss: 'https://issuer', exp: Math.floor(Date.now() / 1000) + 60 }, key, 'at+jwt');
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
      const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: [key.publicJwk] }), { issuer: 'https://issuer', typ: 'at+jwt' });
      expect(payload.sub).toBe('x');
      // A flipped payload byte breaks the signature.
      const [h, p, s] = token.split('.');
      const tampered = `${h}.${p.slice(0, -2)}${p.slice(-2) === 'fQ' ? 'fX' : 'fQ'}.${s}`;
      await expect(jwtVerify(tampered, createLocalJWKSet({ keys: [key.publicJwk] }))).rejects.toThrow();
    });
  }
});
