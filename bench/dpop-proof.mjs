/**
 * DPoP proofs for the load generator (RFC 9449 §4.2): an ES256 key per
 * virtual user and a fresh proof (new jti, current iat) per request, signed
 * with node:crypto on the load generator's core.
 *
 * @example
 * const signer = dpopSigner();
 * headers.dpop = signer.proof('POST', `${base}/connect/token`);
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function dpopSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } });
  return {
    proof(htm, htu) {
      const input = `${header}.${b64({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) })}`;
      return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    },
  };
}
