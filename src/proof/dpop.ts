/**
 * DPoP proof validation, RFC 9449 §4.2 and §4.3, for the token endpoint and
 * for protected resources. The checks, in the RFC's order:
 *  1. exactly one DPoP header field;
 *  2. a single well-formed JWT (canonical compact serialization only);
 *  3. the required claims (`jti`, `htm`, `htu`, `iat`; `ath` with a token);
 *  4. `typ` is `dpop+jwt`;
 *  5. `alg` is in the asymmetric allow-list (never `none` or HMAC);
 *  6. the signature verifies with the `jwk` header;
 *  7. `jwk` is a public key;
 *  8. `htm` is the request method; 9. `htu` the request URI (htu.ts);
 * 10. `nonce` is a valid server nonce, when nonces are required;
 * 11. `iat` is within the window (`maxAge` back, `leeway` either way);
 * 12. with an access token: `ath` is its hash, and the key is the one the
 *     token is bound to (`cnf.jkt`).
 * Last, the `jti` is recorded once (replay store): a reused proof is refused.
 */
import { constants, createHash, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { MalformedJwt, parseCompactJws } from '../tokens/compact-jws.js';
import { DpopError, invalidProof, useNonce } from './errors.js';
import { htuMatches } from './htu.js';
import { jwkThumbprintSync, publicJwkProblem, publicKeyObject } from './jwk.js';
import type { DpopNonces } from './nonce.js';
import type { ReplayStore } from './replay.js';

/** Asymmetric JWS algorithms a proof may use (RFC 7518 §3, RFC 8037). */
export type DpopAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';
export const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** The default allow-list. */
export const DEFAULT_DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ['ES256', 'PS256', 'EdDSA', 'RS256'];

/** Largest DPoP header accepted (a proof with an RSA-4096 key is about 1.5 KB). */
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

export interface DpopRequest {
  /** The DPoP header as received: one value (several fields joined with commas count as several), a list, or undefined. */
  proof: string | readonly string[] | undefined;
  method: string;
  /** The absolute request URI (its query and fragment are ignored). */
  url: string;
  /** At a protected resource: the access token, whose hash must be the proof's `ath`. */
  accessToken?: string;
  /** The `cnf.jkt` the token (or refresh token, or `dpop_jkt`) is bound to: the proof key must have this thumbprint. */
  boundJkt?: string;
}

export interface DpopPolicy {
  /** Accepted `alg` values; only asymmetric ones (see {@link checkDpopAlgorithms}). */
  algorithms: ReadonlySet<string>;
  /** Seconds a proof is accepted after its `iat`. */
  maxAge: number;
  /** Seconds of clock difference allowed either way. */
  leeway: number;
  /** Records each `jti`; shared by all nodes for cross-node replay detection. */
  replay: ReplayStore;
  /** When set, every proof must carry a valid server nonce. */
  nonces?: DpopNonces;
  /** Epoch seconds. */
  now: number;
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof key: `cnf.jkt` of tokens bound to it. */
  jkt: string;
  jwk: JWK;
  alg: DpopAlgorithm;
  jti: string;
  iat: number;
  nonce?: string;
}

/** Checks an algorithm allow-list: asymmetric JWS algorithms only. Returns it as a set. */
export function checkDpopAlgorithms(algorithms: readonly string[]): ReadonlySet<DpopAlgorithm> {
  if (algorithms.length === 0) throw new Error('DPoP: the algorithm allow-list is empty');
  for (const a of algorithms) {
    if (!(DPOP_ALGORITHMS as readonly string[]).includes(a)) throw new Error(`DPoP: algorithm ${a} is not allowed (asymmetric JWS algorithms only)`);
  }
  return new Set(algorithms as DpopAlgorithm[]);
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the ASCII access token. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** ES* signatures are R || S, each as long as the curve's coordinates (RFC 7518 §3.4). */
const ES_SIGNATURE_LENGTH: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };
/** RFC 7518 §3.3, §3.5: RSA keys of at least 2048 bits (as jose requires). */
const MIN_RSA_BITS = 2048;

/**
 * Item 6 with node:crypto (one synchronous verification, no key import through
 * WebCrypto): the JWS signature of `input` under `key` for `alg` (RFC 7518
 * §3.3-3.5, RFC 8037 §3.1).
 */
function signatureHolds(alg: DpopAlgorithm, key: KeyObject, input: Buffer, signature: Buffer): boolean {
  if (alg === 'EdDSA') return verifySignature(null, input, key, signature);
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('ES')) return signature.length === ES_SIGNATURE_LENGTH[alg] && verifySignature(hash, input, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return false;
  if (alg.startsWith('PS')) {
    return verifySignature(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }, signature);
  }
  return verifySignature(hash, input, key, signature);
}

/** Item 1: the single DPoP header value. */
function singleProof(proof: DpopRequest['proof']): string {
  const values = proof === undefined ? [] : typeof proof === 'string' ? [proof] : [...proof];
  if (values.length === 0) throw invalidProof('the request has no DPoP proof');
  // Several fields arrive as a list, or joined by commas (RFC 9110 §5.3); a JWT has no comma.
  if (values.length > 1 || values[0].includes(',')) throw invalidProof('the request has more than one DPoP header');
  const value = values[0];
  if (value === '') throw invalidProof('the request has no DPoP proof');
  if (value.length > MAX_PROOF_LENGTH) throw invalidProof('the DPoP proof is too long');
  return value;
}

/**
 * Validates a DPoP proof for a request. Resolves the proof's key and
 * thumbprint, or rejects with a {@link DpopError} (`invalid_dpop_proof`, or
 * `use_dpop_nonce` when a server nonce is missing or stale).
 */
export async function verifyDpopProof(request: DpopRequest, policy: DpopPolicy): Promise<VerifiedDpopProof> {
  const proof = singleProof(request.proof);
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    ({ header, payload } = parseCompactJws(proof));
  } catch (err) {
    if (err instanceof MalformedJwt) throw invalidProof(`the DPoP proof is malformed: ${err.message}`);
    throw err;
  }
  // Item 4. Media types compare case-insensitively (RFC 7515 §4.1.9), without an "application/" prefix here.
  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== 'dpop+jwt') throw invalidProof('the DPoP proof typ is not dpop+jwt');
  // Item 5.
  const alg = header.alg;
  if (typeof alg !== 'string' || !policy.algorithms.has(alg)) throw invalidProof('the DPoP proof alg is not accepted');
  // RFC 7515 §4.1.11: no extension is understood here.
  if (header.crit !== undefined) throw invalidProof('the DPoP proof has a crit header');
  // Item 7 (before the key is used).
  const problem = publicJwkProblem(header.jwk, alg);
  if (problem) throw invalidProof(problem);
  const jwk = header.jwk as JWK;
  // Item 6 (the serialization is canonical: parseCompactJws checked it).
  const key = publicKeyObject(jwk);
  const dot = proof.lastIndexOf('.');
  let holds: boolean;
  try {
    holds =
      key !== undefined && signatureHolds(alg as DpopAlgorithm, key, Buffer.from(proof.slice(0, dot), 'ascii'), Buffer.from(proof.slice(dot + 1), 'base64url'));
  } catch {
    holds = false;
  }
  if (!holds) throw invalidProof('the DPoP proof signature does not verify with its jwk');
  // Item 3.
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) throw invalidProof('the DPoP proof has no valid jti');
  if (typeof htm !== 'string') throw invalidProof('the DPoP proof has no htm');
  if (typeof htu !== 'string') throw invalidProof('the DPoP proof has no htu');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalidProof('the DPoP proof has no valid iat');
  if (nonce !== undefined && typeof nonce !== 'string') throw invalidProof('the DPoP proof nonce is not a string');
  // Item 8: methods are case-sensitive (RFC 9110 §9.1).
  if (htm !== request.method) throw invalidProof('the DPoP proof htm does not match the request method');
  // Item 9.
  if (!htuMatches(htu, request.url)) throw invalidProof('the DPoP proof htu does not match the request URI');
  // Item 12.
  if (request.accessToken !== undefined) {
    if (typeof ath !== 'string') throw invalidProof('the DPoP proof has no ath for the access token');
    if (!sameText(ath, accessTokenHash(request.accessToken))) throw invalidProof('the DPoP proof ath does not match the access token');
  }
  const jkt = jwkThumbprintSync(jwk);
  if (request.boundJkt !== undefined && !sameText(jkt, request.boundJkt)) throw invalidProof('the DPoP proof key is not the key the token is bound to');
  // Item 10.
  if (policy.nonces) {
    if (nonce === undefined) throw useNonce('the DPoP proof must carry the server nonce');
    if (!policy.nonces.checkNonce(nonce, policy.now)) throw useNonce('the DPoP proof nonce is not valid or has expired');
  }
  // Item 11.
  if (iat > policy.now + policy.leeway) throw invalidProof('the DPoP proof iat is in the future');
  if (iat < policy.now - policy.maxAge - policy.leeway) throw invalidProof('the DPoP proof is too old (iat)');
  // §11.1: a proof is used once. Kept until it could no longer pass the iat check; keyed by the key, so no one else can burn a jti.
  const expiresAt = Math.ceil(iat) + policy.maxAge + policy.leeway + 1;
  if (!(await policy.replay.markOnce(`${jkt}:${jti}`, expiresAt))) throw invalidProof('the DPoP proof has been used before (jti)');
  return { jkt, jwk, alg: alg as DpopAlgorithm, jti, iat, ...(nonce !== undefined ? { nonce } : {}) };
}

export { DpopError };
