/**
 * Signs a JWT (RFC 7515 compact serialisation) with the active key.
 *
 * The signature is made synchronously by node:crypto on a KeyObject prepared
 * at key import, not by jose's WebCrypto path: on this project's benchmark
 * machine one core signs RS256 at 3,331/s with node:crypto against 3,027/s
 * with jose, and the asynchronous WebCrypto job adds main-thread overhead per
 * token (docs/benchmarks.md). jose still does every other JOSE operation
 * (key generation, JWK import/export, thumbprints, all verification), and the
 * tests verify what this produces with jose for every algorithm.
 */
import { constants, sign } from 'node:crypto';
import type { SigningKey } from '../model/types.js';

const b64url = (s: string) => Buffer.from(s).toString('base64url');

function signature(key: SigningKey, data: Buffer): Buffer {
  const k = key.privateKeyObject;
  switch (key.alg) {
    case 'RS256':
      return sign('sha256', data, k);
    case 'PS256':
      // RFC 7518 §3.5: MGF1 with SHA-256, salt length = hash length.
      return sign('sha256', data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
    case 'ES256':
      // RFC 7518 §3.4: R || S, not DER.
      return sign('sha256', data, { key: k, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, data, k);
  }
}

export async function signJwt(payload: Record<string, unknown>, key: SigningKey, typ?: string): Promise<string> {
  const header = typ ? { alg: key.alg, kid: key.kid, typ } : { alg: key.alg, kid: key.kid };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${signature(key, Buffer.from(input)).toString('base64url')}`;
}
