import { describe, expect, it } from 'vitest';
import { createVerifiedJwtCache, type VerifiedJwt } from '../../src/tokens/verified-jwt-cache.js';

const key = {} as CryptoKey;
const entry = (exp: number, sub = 'alice'): VerifiedJwt => ({ claims: { sub, exp }, kid: 'k1', key, exp });

describe('verified JWT cache', () => {
  it('is bounded: the oldest entry goes first', () => {
    const cache = createVerifiedJwtCache(3);
    for (const t of ['a', 'b', 'c', 'd']) cache.set(t, entry(200), 100);
    expect(cache.size).toBe(3);
    expect(cache.get('a', 100)).toBeUndefined();
    expect(cache.get('b', 100)?.claims.sub).toBe('alice');
    expect(cache.get('d', 100)).toBeDefined();
    // Setting a present token again replaces it without evicting another one.
    cache.set('d', entry(300, 'bob'), 100);
    expect(cache.size).toBe(3);
    expect(cache.get('d', 100)?.claims.sub).toBe('bob');
    expect(cache.get('b', 100)).toBeDefined();
  });

  it('drops an entry at its exp and never stores an expired one', () => {
    const cache = createVerifiedJwtCache(10);
    cache.set('a', entry(200), 100);
    cache.set('late', entry(100), 100);
    expect(cache.size).toBe(1);
    expect(cache.get('a', 199)).toBeDefined();
    expect(cache.get('a', 200)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('hits only the exact token string and shares frozen claims', () => {
    const cache = createVerifiedJwtCache(10);
    cache.set('x.y.z', entry(200), 100);
    expect(cache.get('x.y.z ', 100)).toBeUndefined();
    expect(cache.get('x.y.Z', 100)).toBeUndefined();
    const hit = cache.get('x.y.z', 100)!;
    expect(Object.isFrozen(hit.claims)).toBe(true);
  });

  it('stores nothing with a size of 0', () => {
    const cache = createVerifiedJwtCache(0);
    cache.set('a', entry(200), 100);
    expect(cache.size).toBe(0);
  });
});
