import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { decryptPrivateKey, encryptPrivateKey, KeyEncryptionError } from '../../src/keys/key-encryption.js';
import { loadKeyEncryptionKey } from '../../src/keys/load-key-encryption-key.js';
import { newKek } from './helpers.js';

const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret-d' };

describe('private key encryption', () => {
  it('round-trips with the v1 format and hides the private member', () => {
    const kek = newKek();
    const sealed = encryptPrivateKey(jwk, 'kid-1', kek);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('secret-d');
    expect(decryptPrivateKey(sealed, 'kid-1', kek)).toEqual(jwk);
    expect(encryptPrivateKey(jwk, 'kid-1', kek)).not.toBe(sealed); // fresh IV each time
  });

  it('fails clearly with a wrong KEK', () => {
    const sealed = encryptPrivateKey(jwk, 'kid-1', newKek());
    expect(() => decryptPrivateKey(sealed, 'kid-1', newKek())).toThrow(KeyEncryptionError);
    expect(() => decryptPrivateKey(sealed, 'kid-1', newKek())).toThrow('cannot decrypt signing key kid-1: wrong key-encryption key?');
  });

  it('binds the ciphertext to its kid (AAD) and rejects tampering', () => {
    const kek = newKek();
    const sealed = encryptPrivateKey(jwk, 'kid-1', kek);
    expect(() => decryptPrivateKey(sealed, 'kid-2', kek)).toThrow(/kid-2: wrong key-encryption key/);
    const [v, iv, body] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => decryptPrivateKey(`${v}.${iv}.${flipped.toString('base64url')}`, 'kid-1', kek)).toThrow(KeyEncryptionError);
    expect(() => decryptPrivateKey('v2.a.b', 'kid-1', kek)).toThrow(/unknown format/);
  });

  it('rejects a KEK of the wrong length', () => {
    expect(() => encryptPrivateKey(jwk, 'k', new Uint8Array(16))).toThrow(/must be 32 bytes/);
  });
});

describe('loadKeyEncryptionKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-kek-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const cfg = (keys: Record<string, unknown> = {}) => configSchema.parse({ server: { dataDir: join(dir, 'data') }, keys });

  it('generates <dataDir>/kek.key with mode 0600 and reuses it', async () => {
    const first = await loadKeyEncryptionKey(cfg(), {});
    expect(first.byteLength).toBe(32);
    const path = join(dir, 'data', 'kek.key');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toEqual(Buffer.from(first));
    expect(await loadKeyEncryptionKey(cfg(), {})).toEqual(first);
  });

  it('racing loaders agree on one key', async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => loadKeyEncryptionKey(cfg(), {})));
    for (const k of all) expect(k).toEqual(all[0]);
  });

  it('prefers keys.keyEncryptionKey, then GATEHOUSE_KEK, then keyEncryptionKeyFile', async () => {
    const a = Buffer.alloc(32, 1).toString('base64');
    const b = Buffer.alloc(32, 2).toString('base64');
    expect(await loadKeyEncryptionKey(cfg({ keyEncryptionKey: a }), { GATEHOUSE_KEK: b })).toEqual(new Uint8Array(32).fill(1));
    expect(await loadKeyEncryptionKey(cfg(), { GATEHOUSE_KEK: b })).toEqual(new Uint8Array(32).fill(2));
    const file = join(dir, 'custom.key');
    await writeFile(file, `${Buffer.alloc(32, 3).toString('base64')}\n`);
    expect(await loadKeyEncryptionKey(cfg({ keyEncryptionKeyFile: file }), {})).toEqual(new Uint8Array(32).fill(3));
  });

  it('rejects a malformed key with its source named', async () => {
    await expect(loadKeyEncryptionKey(cfg({ keyEncryptionKey: 'c2hvcnQ=' }), {})).rejects.toThrow(/keys.keyEncryptionKey: .* got 5 bytes/);
    await expect(loadKeyEncryptionKey(cfg(), { GATEHOUSE_KEK: 'not base64!' })).rejects.toThrow(/GATEHOUSE_KEK/);
  });
});
