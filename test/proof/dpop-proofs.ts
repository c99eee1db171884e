/**
 * Test helper: DPoP proofs made with jose, with any header or claim
 * overridden (or removed with `undefined`) to build the bad proofs of RFC
 * 9449 §4.3.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export interface ProofKey {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Signs `input` the way `alg` does (ES*: raw R||S). */
async function sign(key: ProofKey, input: string): Promise<string> {
  const params = key.alg.startsWith('ES')
    ? { name: 'ECDSA', hash: `SHA-${key.alg.slice(2)}` }
    : key.alg.startsWith('PS')
      ? { name: 'RSA-PSS', saltLength: Number(key.alg.slice(2)) / 8 }
      : key.alg === 'EdDSA'
        ? { name: 'Ed25519' }
        : { name: 'RSASSA-PKCS1-v1_5' };
  return Buffer.from(await crypto.subtle.sign(params, key.privateKey, new TextEncoder().encode(input))).toString('base64url');
}

export interface ProofParts {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

/** A proof for `method url` at time `iat`; `parts` override (or, with undefined, drop) header parameters and claims. */
export async function makeProof(key: ProofKey, method: string, url: string, iat: number, parts: ProofParts = {}): Promise<string> {
  const header = prune({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...parts.header });
  const claims = prune({ jti: randomUUID(), htm: method, htu: url, iat, ...parts.claims });
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${await sign(key, input)}`;
}

function prune(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
