/**
 * The server's encryption keys (`requestObjects.encryptionKeyAlg`): kept by
 * the key manager on the signing keys' timeline, persisted encrypted,
 * published with `use: "enc"`, rotated, never used to verify signatures.
 */
import { CompactEncrypt, compactDecrypt, importJWK, type JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyManager } from '../../src/keys/key-manager.js';
import type { KeyManager } from '../../src/model/types.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { mutableClock, newKek, testConfig } from './helpers.js';

const managers: KeyManager[] = [];
afterEach(() => managers.splice(0).forEach((m) => m.stop()));

function setup() {
  const store = createMemoryBackend().keys;
  const clock = mutableClock();
  const kek = newKek();
  const make = () => {
    const m = createKeyManager({ config: testConfig({ algorithms: ['ES256'] }), store, clock, kek, encryptionAlgorithms: ['ECDH-ES'] });
    managers.push(m);
    return m;
  };
  return { store, make };
}
const jwks = (km: KeyManager) => (JSON.parse(new TextDecoder().decode(km.jwksBytes())) as { keys: JWK[] }).keys;

describe('server encryption keys', () => {
  it('are created beside the signing key, stored encrypted, published with use enc, and decrypt JWEs to them', async () => {
    const { store, make } = setup();
    const km = make();
    await km.start();
    const rows = await store.list();
    expect(rows.map((r) => r.alg).sort()).toEqual(['ECDH-ES', 'ES256']);
    const encRow = rows.find((r) => r.alg === 'ECDH-ES')!;
    expect(encRow.encryptedPrivateKey).toMatch(/^v1\./);
    const published = jwks(km).find((k) => k.use === 'enc')!;
    expect(published).toMatchObject({ kid: encRow.kid, alg: 'ECDH-ES', kty: 'EC', crv: 'P-256' });
    expect(published).not.toHaveProperty('d');
    expect(km.signingKey().alg).toBe('ES256');
    // An encryption key never verifies a signature.
    expect(km.publicKey(encRow.kid)).toBeUndefined();
    const jwe = await new CompactEncrypt(new TextEncoder().encode('hello'))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: published.kid })
      .encrypt(await importJWK(published, 'ECDH-ES'));
    const [key] = km.encryptionKeys!();
    expect(new TextDecoder().decode((await compactDecrypt(jwe, key.privateKey)).plaintext)).toBe('hello');
  });

  it('persist across nodes (no second key) and rotate with the signing keys', async () => {
    const { store, make } = setup();
    const first = make();
    await first.start();
    const second = make();
    await second.start();
    expect(second.encryptionKeys!().map((k) => k.kid)).toEqual(first.encryptionKeys!().map((k) => k.kid));
    expect(await store.list()).toHaveLength(2);
    const created = await first.rotate();
    expect(created.map((k) => k.alg).sort()).toEqual(['ECDH-ES', 'ES256']);
    // The successor is announced (published) before it takes over; both decrypt meanwhile.
    expect(jwks(first).filter((k) => k.use === 'enc')).toHaveLength(2);
    expect(first.encryptionKeys!()).toHaveLength(2);
  });
});
