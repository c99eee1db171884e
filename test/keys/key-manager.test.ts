import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SigningAlgorithm } from '../../src/config/schema.js';
import { createKeyManager } from '../../src/keys/key-manager.js';
import type { KeyManager } from '../../src/model/types.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { KeyStore } from '../../src/stores/types.js';
import { DAY, T0, mutableClock, newKek, testConfig } from './helpers.js';

const managers: KeyManager[] = [];
afterEach(() => managers.splice(0).forEach((m) => m.stop()));

function setup(algorithms: SigningAlgorithm[] = ['RS256'], store: KeyStore = createMemoryBackend().keys, kek = newKek()) {
  const clock = mutableClock();
  const config = testConfig({ algorithms });
  const make = () => {
    const m = createKeyManager({ config, store, clock, kek });
    managers.push(m);
    return m;
  };
  return { clock, store, kek, config, km: make(), make };
}

const jwks = (km: KeyManager) => JSON.parse(new TextDecoder().decode(km.jwksBytes())) as { keys: JWK[] };
const kids = (km: KeyManager) =>
  jwks(km)
    .keys.map((k) => k.kid!)
    .sort();

async function sign(km: KeyManager, alg?: SigningAlgorithm, iat = 0) {
  const key = km.signingKey(alg);
  return new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt(iat).sign(key.privateKey);
}
const verify = (km: KeyManager, jwt: string, now: number) => jwtVerify(jwt, createLocalJWKSet(jwks(km)), { currentDate: new Date(now * 1000) });

describe('key manager', () => {
  it('first start creates one RS256 key, active now, published with kid/alg/use', async () => {
    const { km, store } = setup();
    await km.start();
    const stored = await store.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ alg: 'RS256', createdAt: T0, activatesAt: T0, retiresAt: T0 + 90 * DAY });
    const [pub] = jwks(km).keys;
    expect(pub).toMatchObject({ kty: 'RSA', kid: stored[0].kid, alg: 'RS256', use: 'sig' });
    expect(pub).not.toHaveProperty('d');
    expect(km.signingKey().kid).toBe(stored[0].kid);
    expect(km.publicKey(stored[0].kid)).toBe(km.signingKey().publicKey);
    expect(await km.list()).toEqual([expect.objectContaining({ kid: stored[0].kid, status: 'active', removedAt: T0 + 104 * DAY })]);
  });

  it('keeps the private key encrypted in the store; a wrong KEK fails clearly', async () => {
    const { km, store } = setup(['ES256']);
    await km.start();
    const [row] = await store.list();
    expect(row.encryptedPrivateKey).toMatch(/^v1\./);
    expect(JSON.parse(row.publicJwk)).not.toHaveProperty('d');
    expect(JSON.stringify(row)).not.toMatch(/"d"/);
    const other = createKeyManager({ config: testConfig({ algorithms: ['ES256'] }), store, clock: mutableClock(), kek: newKek() });
    await expect(other.start()).rejects.toThrow(`cannot decrypt signing key ${row.kid}: wrong key-encryption key?`);
  });

  it('a second start reuses the stored keys (imported, not recreated)', async () => {
    const { km, make, store } = setup();
    await km.start();
    const again = make();
    await again.start();
    expect(await store.list()).toHaveLength(1);
    expect(again.signingKey().kid).toBe(km.signingKey().kid);
    const jwt = await sign(again);
    await expect(verify(km, jwt, T0)).resolves.toBeTruthy();
  });

  it('several algorithms each get a key that signs and verifies', async () => {
    const algs: SigningAlgorithm[] = ['RS256', 'ES256', 'PS256', 'EdDSA'];
    const { km, store } = setup(algs);
    await km.start();
    expect((await store.list()).map((k) => k.alg).sort()).toEqual([...algs].sort());
    expect(km.signingKey().alg).toBe('RS256'); // the first configured is the default
    for (const alg of algs) {
      const jwt = await sign(km, alg);
      const { protectedHeader, payload } = await verify(km, jwt, T0);
      expect(protectedHeader).toMatchObject({ alg, kid: km.signingKey(alg).kid });
      expect(payload.sub).toBe('alice');
    }
    expect(
      jwks(km)
        .keys.map((k) => k.alg)
        .sort(),
    ).toEqual([...algs].sort());
  });

  it('follows the timeline: announce at day 76, switch at day 90, remove at day 104', async () => {
    const { km, clock, store } = setup();
    const changes: string[][] = [];
    km.onChange(() => changes.push(kids(km)));
    await km.start();
    const a = km.signingKey().kid;
    const tokenA = await sign(km, 'RS256', T0 + 50 * DAY);

    clock.day(75);
    await km.refresh();
    expect(await store.list()).toHaveLength(1);

    clock.day(76);
    await km.refresh();
    const b = (await store.list()).find((k) => k.kid !== a)!;
    expect(b).toMatchObject({ createdAt: T0 + 76 * DAY, activatesAt: T0 + 90 * DAY, retiresAt: T0 + 180 * DAY });
    expect(kids(km)).toEqual([a, b.kid].sort()); // announced: published ...
    expect(km.signingKey().kid).toBe(a); // ... but not signing
    expect((await km.list()).map((k) => k.status)).toEqual(['active', 'announced']);

    clock.set(T0 + 90 * DAY - 1);
    expect(km.signingKey().kid).toBe(a);
    clock.day(90); // no refresh: the cached keys are picked by the clock
    expect(km.signingKey().kid).toBe(b.kid);
    await km.refresh();
    expect((await km.list()).map((k) => k.status)).toEqual(['retired', 'active']);
    expect(kids(km)).toEqual([a, b.kid].sort());
    await expect(verify(km, tokenA, T0 + 90 * DAY)).resolves.toBeTruthy();

    clock.set(T0 + 104 * DAY - 1);
    await km.refresh();
    await expect(verify(km, tokenA, clock.t)).resolves.toBeTruthy();
    expect(km.publicKey(a)).toBeDefined();

    clock.day(104);
    await km.refresh();
    expect(kids(km)).toEqual([b.kid]);
    expect(km.publicKey(a)).toBeUndefined();
    expect((await store.list()).map((k) => k.kid)).toEqual([b.kid]);
    await expect(verify(km, tokenA, clock.t)).rejects.toThrow();
    expect(changes).toEqual([[a], [a, b.kid].sort(), [b.kid]]);

    clock.day(166); // the next successor
    await km.refresh();
    expect(await store.list()).toHaveLength(2);
  });

  it('drops an expired key from the JWKS even before the next refresh', async () => {
    const { km, clock } = setup();
    await km.start();
    const a = km.signingKey().kid;
    clock.day(76);
    await km.refresh();
    clock.day(104);
    expect(kids(km)).not.toContain(a);
    expect(km.signingKey().kid).not.toBe(a);
  });

  it('manual rotate announces new keys that sign after propagationTime', async () => {
    const { km, clock, store } = setup(['RS256', 'ES256']);
    await km.start();
    const before = { rs: km.signingKey('RS256').kid, es: km.signingKey('ES256').kid };
    clock.day(30);
    const created = await km.rotate();
    expect(created.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const k of created) expect(k).toMatchObject({ status: 'announced', activatesAt: T0 + 44 * DAY, retiresAt: T0 + 134 * DAY });
    expect(kids(km)).toHaveLength(4);
    expect(km.signingKey('RS256').kid).toBe(before.rs);
    const old = (await store.list()).find((k) => k.kid === before.rs)!;
    expect(old.retiresAt).toBe(T0 + 44 * DAY);

    clock.day(44);
    expect(km.signingKey('RS256').kid).toBe(created.find((k) => k.alg === 'RS256')!.kid);
    expect(km.signingKey('ES256').kid).toBe(created.find((k) => k.alg === 'ES256')!.kid);
    clock.day(58);
    await km.refresh();
    expect(kids(km)).not.toContain(before.es);
    expect(await store.list()).toHaveLength(2);
  });

  it('two managers on one store started together create exactly one key per alg', async () => {
    const store = createMemoryBackend().keys;
    const { km, make } = setup(['RS256', 'ES256'], store);
    const other = make();
    await Promise.all([km.start(), other.start()]);
    expect((await store.list()).map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(other.signingKey().kid).toBe(km.signingKey().kid);
    expect(kids(other)).toEqual(kids(km));
  });

  it('two managers refreshing at the successor point create one successor', async () => {
    const store = createMemoryBackend().keys;
    const { km, make, clock } = setup(['RS256'], store);
    const other = make();
    await Promise.all([km.start(), other.start()]);
    clock.day(80);
    await Promise.all([km.refresh(), other.refresh(), km.refresh()]);
    expect(await store.list()).toHaveLength(2);
    expect(kids(other)).toEqual(kids(km));
  });

  it('another node’s key appears after refresh and fires onChange', async () => {
    const store = createMemoryBackend().keys;
    const { km, make } = setup(['RS256'], store);
    const other = make();
    await km.start();
    await other.start();
    let fired = 0;
    km.onChange(() => fired++);
    const [created] = await other.rotate();
    expect(kids(km)).not.toContain(created.kid);
    await km.refresh();
    expect(kids(km)).toContain(created.kid);
    expect(fired).toBe(1);
  });

  it('rejects a propagation time not shorter than the rotation interval', () => {
    const config = testConfig();
    expect(() =>
      createKeyManager({
        config: { ...config, keys: { ...config.keys, propagationTime: config.keys.rotationInterval } },
        store: createMemoryBackend().keys,
        clock: mutableClock(),
        kek: newKek(),
      }),
    ).toThrow('keys.propagationTime: must be shorter than keys.rotationInterval');
  });

  it('signingKey before start is a server error, not a crash', () => {
    const { km } = setup();
    expect(() => km.signingKey()).toThrow(/unexpected condition/);
  });
});

describe('background refresh', () => {
  afterEach(() => void vi.useRealTimers());

  it('runs every refreshInterval seconds and stops on stop()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = mutableClock();
    const store = createMemoryBackend().keys;
    const km = createKeyManager({ config: testConfig({ refreshInterval: 60 }), store, clock, kek: newKek() });
    await km.start();
    expect(vi.getTimerCount()).toBe(1);
    clock.day(76);
    vi.advanceTimersByTime(60_000);
    for (let i = 0; i < 500 && (await store.list()).length < 2; i++) await delay(10);
    expect(await store.list()).toHaveLength(2);
    km.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('wrong key-encryption key', () => {
  it('adds no key to the store at the successor point', async () => {
    const { km, store, clock, config } = setup();
    await km.start();
    clock.day(80);
    const wrong = createKeyManager({ config, store, clock, kek: newKek() });
    await expect(wrong.start()).rejects.toThrow(/wrong key-encryption key/);
    expect(await store.list()).toHaveLength(1);
  });
});
