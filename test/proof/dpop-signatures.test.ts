/**
 * The proof signature check (RFC 9449 §4.3 item 6) runs on node:crypto: every
 * asymmetric JWS algorithm of RFC 7518 and RFC 8037 with proofs made by
 * jose, the RFC 7638 thumbprint equal to jose's, and the signatures node would
 * take but JWS does not (DER-encoded ECDSA, RSA keys below 2048 bits).
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkDpopAlgorithms, DPOP_ALGORITHMS, DpopError, MemoryReplayStore, verifyDpopProof, type DpopPolicy } from '../../src/proof/index.js';

const NOW = 1_800_000_000;
const URL_ = 'https://as.example.com/connect/token';
const policy = (): DpopPolicy => ({
  algorithms: checkDpopAlgorithms(DPOP_ALGORITHMS),
  maxAge: 60,
  leeway: 10,
  replay: new MemoryReplayStore(1000, () => NOW),
  now: NOW,
});
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const claims = () => ({ jti: randomUUID(), htm: 'POST', htu: URL_, iat: NOW });

async function refused(proof: string): Promise<string> {
  try {
    await verifyDpopProof({ proof, method: 'POST', url: URL_ }, policy());
  } catch (err) {
    if (err instanceof DpopError) return err.description;
    throw err;
  }
  throw new Error('accepted');
}

describe('DPoP proof signatures on node:crypto', () => {
  it.each(DPOP_ALGORITHMS)('%s: a proof signed by jose verifies; jkt is the RFC 7638 thumbprint', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT(claims()).setProtectedHeader({ alg, typ: 'dpop+jwt', jwk }).sign(privateKey);
    const v = await verifyDpopProof({ proof, method: 'POST', url: URL_ }, policy());
    expect(v.jkt).toBe(await calculateJwkThumbprint(jwk, 'sha256'));
    // One flipped bit in the signature: refused.
    const [h, c, s] = proof.split('.');
    const bytes = Buffer.from(s, 'base64url');
    bytes[0] ^= 1;
    expect(await refused(`${h}.${c}.${bytes.toString('base64url')}`)).toMatch(/signature/);
  });

  it('refuses a DER-encoded ECDSA signature (JWS wants R || S)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const input = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${b64(claims())}`;
    const der = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    expect(await refused(`${input}.${der}`)).toMatch(/signature/);
  });

  it('refuses an RSA key below 2048 bits', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { kty, n, e } = publicKey.export({ format: 'jwk' });
    const input = `${b64({ typ: 'dpop+jwt', alg: 'RS256', jwk: { kty, n, e } })}.${b64(claims())}`;
    const sig = sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    expect(await refused(`${input}.${sig}`)).toMatch(/signature/);
  });
});
