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

/**
 * Key management algorithms of the server's own encryption keys (RFC 7518
 * §4.3, §4.6): kept, rotated and published like signing keys, with `use:
 * "enc"`, for JWEs sent to the server (encrypted request objects, RFC 9101 §6.1).
 */
export const ENCRYPTION_KEY_ALGORITHMS = ['RSA-OAEP-256', 'ECDH-ES'] as const;
export type EncryptionKeyAlgorithm = (typeof ENCRYPTION_KEY_ALGORITHMS)[number];
/** Any algorithm the key manager keeps keys for. */
export type ManagedKeyAlgorithm = SigningAlgorithm | EncryptionKeyAlgorithm;

/** Is `alg` the algorithm of an encryption key (`use: "enc"`)? */
export function isEncryptionKeyAlgorithm(alg: string): alg is EncryptionKeyAlgorithm {
  return (ENCRYPTION_KEY_ALGORITHMS as readonly string[]).includes(alg);
}

/** A freshly generated key pair as JWKs. */
export interface GeneratedKey {
  kid: string;
  alg: ManagedKeyAlgorithm;
  /** Public JWK with kid, alg and `use: "sig"` (`"enc"` for an encryption key). */
  publicJwk: JWK;
  privateJwk: JWK;
}

/** Key parameters per algorithm: RS256/PS256/RSA-OAEP-256 2048-bit RSA, ES256/ECDH-ES P-256, EdDSA Ed25519. */
const OPTIONS: Record<ManagedKeyAlgorithm, { modulusLength?: number; crv?: string }> = {
  RS256: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 },
  ES256: { crv: 'P-256' },
  EdDSA: { crv: 'Ed25519' },
  'RSA-OAEP-256': { modulusLength: 2048 },
  'ECDH-ES': { crv: 'P-256' },
};

/**
 * Generates a key pair for `alg`; the kid is its RFC 7638 JWK thumbprint (SHA-256).
 *
 * @example
 * const { kid, publicJwk } = await generateSigningKey('ES256');
 */
export async function generateSigningKey(alg: ManagedKeyAlgorithm): Promise<GeneratedKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { ...OPTIONS[alg], extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub, 'sha256'); // RFC 7638 §3
  const publicJwk: JWK = { ...pub, kid, alg, use: isEncryptionKeyAlgorithm(alg) ? 'enc' : 'sig' };
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
  // An encryption key's alg is not a signing alg; it is only ever used through the key manager's encryptionKeys().
  const alg = stored.alg as SigningAlgorithm;
  if (!(alg in OPTIONS)) throw new KeyEncryptionError(`signing key ${stored.kid}: unsupported algorithm ${stored.alg}`);
  const publicJwk = JSON.parse(stored.publicJwk) as JWK;
  const privateJwk = decryptPrivateKey(stored.encryptedPrivateKey, stored.kid, kek);
  const [privateKey, publicKey] = await Promise.all([importJWK(privateJwk, alg), importJWK(publicJwk, alg)]);
  // The signing path uses node:crypto on a KeyObject made once here (see tokens/sign-jwt.ts).
  const privateKeyObject = KeyObject.from(privateKey as CryptoKey);
  return { kid: stored.kid, alg, privateKey: privateKey as CryptoKey, privateKeyObject, publicKey: publicKey as CryptoKey, publicJwk };
}
