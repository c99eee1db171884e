import { KeyObject } from 'node:crypto';
/**
 * Signing key material: generation (jose), the RFC 7638 thumbprint as kid, and
 * the one-time import of a stored key into CryptoKeys.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SigningAlgorithm } from '../config/schema.js';
import type { SigningKey } from '../model/types.js';
import type { StoredKey } from '../stores/types.js';
import { decryptPrivateKey, encryptPrivateKey, KeyEncryptionError } from './key-encryption.js';

/** A freshly generated key pair as JWKs. */
export interface GeneratedKey {
  kid: string;
  alg: SigningAlgorithm;
  /** Public JWK with kid, alg and `use: "sig"`. */
  publicJwk: JWK;
  privateJwk: JWK;
}

/** Key parameters per algorithm: RS256/PS256 2048-bit RSA, ES256 P-256, EdDSA Ed25519. */
const OPTIONS: Record<SigningAlgorithm, { modulusLength?: number; crv?: string }> = {
  RS256: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 },
  ES256: { crv: 'P-256' },
  EdDSA: { crv: 'Ed25519' },
};

/**
 * Generates a key pair for `alg`; the kid is its RFC 7638 JWK thumbprint (SHA-256).
 *
 * @example
 * const { kid, publicJwk } = await generateSigningKey('ES256');
 */
export async function generateSigningKey(alg: SigningAlgorithm): Promise<GeneratedKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { ...OPTIONS[alg], extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256'); // RFC 7638 §3
  const publicJwk: JWK = { ...pub, kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, publicJwk, privateJwk };
}

/**
 * A generated key as a store row, its private part encrypted under `kek`.
 *
 * @example
 * await store.insert(toStoredKey(await generateSigningKey('RS256'), kek, { createdAt: now, activatesAt: now, retiresAt: now + 90 * 86400 }));
 */
export function toStoredKey(key: GeneratedKey, kek: Uint8Array, times: { createdAt: number; activatesAt: number; retiresAt: number }): StoredKey {
  return {
    kid: key.kid,
    alg: key.alg,
    publicJwk: JSON.stringify(key.publicJwk),
    encryptedPrivateKey: encryptPrivateKey(key.privateJwk, key.kid, kek),
    ...times,
  };
}

/**
 * Decrypts and imports a stored key. Callers cache the result per kid: keys
 * are imported once, never per request.
 *
 * @example
 * const signing = await importStoredKey(stored, kek);
 * await new SignJWT(claims).setProtectedHeader({ alg: signing.alg, kid: signing.kid }).sign(signing.privateKey);
 */
export async function importStoredKey(stored: StoredKey, kek: Uint8Array): Promise<SigningKey> {
  const alg = stored.alg as SigningAlgorithm;
  if (!(alg in OPTIONS)) throw new KeyEncryptionError(`signing key ${stored.kid}: unsupported algorithm ${stored.alg}`);
  const publicJwk = JSON.parse(stored.publicJwk) as JWK;
  const privateJwk = decryptPrivateKey(stored.encryptedPrivateKey, stored.kid, kek);
  const [privateKey, publicKey] = await Promise.all([importJWK(privateJwk, alg), importJWK(publicJwk, alg)]);
  // The signing path uses node:crypto on a KeyObject made once here (see tokens/sign-jwt.ts).
  const privateKeyObject = KeyObject.from(privateKey as CryptoKey);
  return { kid: stored.kid, alg, privateKey: privateKey as CryptoKey, privateKeyObject, publicKey: publicKey as CryptoKey, publicJwk };
}
