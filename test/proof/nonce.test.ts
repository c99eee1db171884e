/**
 * Stateless rotating DPoP nonces (RFC 9449 §8, §9): valid in their window
 * and the next, on any node with the same secret, and nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { createDpopNonces, deriveNonceSecret } from '../../src/proof/index.js';

describe('DPoP nonces', () => {
  const secret = deriveNonceSecret('configured secret material');
  it('accepts a nonce in its window and the next, on another node with the same secret', () => {
    const nodeA = createDpopNonces({ secret, period: 60 });
    const nodeB = createDpopNonces({ secret, period: 60 });
    const t = 6000; // the start of window 100
    const n = nodeA.createNonce(t);
    expect(n).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/); // RFC 9449 §8.1 NQCHAR
    expect(nodeB.checkNonce(n, t)).toBe(true);
    expect(nodeB.checkNonce(n, t + 119)).toBe(true);
    expect(nodeB.checkNonce(n, t + 120)).toBe(false);
    expect(nodeB.checkNonce(n, t - 1)).toBe(false);
    expect(nodeA.createNonce(t + 59)).toBe(n);
    expect(nodeA.createNonce(t + 60)).not.toBe(n);
  });

  it('refuses nonces of another secret or label, and tampered ones', () => {
    const a = createDpopNonces({ secret, period: 60 });
    const t = 6000;
    const n = a.createNonce(t);
    expect(createDpopNonces({ secret: deriveNonceSecret('other material'), period: 60 }).checkNonce(n, t)).toBe(false);
    expect(createDpopNonces({ secret, period: 60, label: 'token-endpoint' }).checkNonce(n, t)).toBe(false);
    const [w, mac] = n.split('.');
    expect(a.checkNonce(`${(parseInt(w, 36) + 1).toString(36)}.${mac}`, t + 60)).toBe(false);
    expect(a.checkNonce(`${w}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, t)).toBe(false);
    for (const junk of ['', '.', 'abc', `${n}x`, `x${n}`]) expect(a.checkNonce(junk, t)).toBe(false);
  });

  it('refuses a short secret and a bad period', () => {
    expect(() => createDpopNonces({ secret: 'short' })).toThrow(/32 bytes/);
    expect(() => createDpopNonces({ secret, period: 0 })).toThrow(/period/);
    expect(deriveNonceSecret('x')).toHaveLength(32);
    expect(Buffer.from(deriveNonceSecret('x'))).not.toEqual(Buffer.from(deriveNonceSecret('x', 'other use')));
  });
});
