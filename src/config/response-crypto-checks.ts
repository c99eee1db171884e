/**
 * Startup checks of the signed/encrypted response settings (config/response-crypto-schema.ts):
 * a signing alg needs a server key of that alg, an enc needs its alg
 * (Registration §2), and encryption needs a client key to encrypt to.
 * Read from the raw input, like the other cross checks.
 */
import { selectEncryptionJwk } from './encryption-jwk.js';
import { isRecord, records, strings, text } from './loose-input.js';
import { JWE_ALGORITHMS, type JweAlgorithm } from './response-crypto-schema.js';

type Add = (path: PropertyKey[], message: string) => void;

/** The three responses a client's settings are about, by field prefix. */
const RESPONSES = ['idToken', 'userinfo', 'introspection', 'authorization'] as const;

/** keys.algorithms as configured, or its default. */
function serverAlgorithms(input: Record<string, unknown>): string[] {
  const keys = isRecord(input.keys) ? input.keys : {};
  const algs = strings(keys.algorithms).filter((a): a is string => a !== undefined);
  return Array.isArray(keys.algorithms) ? algs : ['RS256'];
}

/** Checks one client or API resource for the responses named by `prefixes`. */
function checkHolder(holder: Record<string, unknown>, at: PropertyKey[], algs: string[], prefixes: readonly string[], add: Add): void {
  for (const prefix of prefixes) {
    const signed = text(holder[`${prefix}SignedResponseAlg`]);
    if (signed !== undefined && !algs.includes(signed)) {
      add(
        [...at, `${prefix}SignedResponseAlg`],
        `the server has no ${signed} signing key: keys.algorithms is ${algs.join(', ')}; add ${signed} there or use one of them`,
      );
    }
    const alg = text(holder[`${prefix}EncryptedResponseAlg`]);
    if (holder[`${prefix}EncryptedResponseEnc`] !== undefined && alg === undefined) {
      // OpenID Connect Dynamic Client Registration 1.0 §2: "If ..._enc is included, ..._alg MUST also be provided."
      add([...at, `${prefix}EncryptedResponseEnc`], `needs ${prefix}EncryptedResponseAlg`);
    }
    if (alg === undefined || !(JWE_ALGORITHMS as readonly string[]).includes(alg)) continue;
    const path = [...at, `${prefix}EncryptedResponseAlg`];
    if (holder.jwks === undefined && holder.jwksUri === undefined) {
      add(path, `encryption needs the public key to encrypt to: add jwks or jwksUri with a key for ${alg}`);
    } else if (isRecord(holder.jwks) && !selectEncryptionJwk(records(holder.jwks.keys), alg as JweAlgorithm)) {
      add(path, `jwks has no public key for ${alg} (RSA for RSA-OAEP*, EC or X25519 for ECDH-ES*; use "enc" or absent, no private part)`);
    }
  }
}

/** Every problem of the response signing and encryption settings of clients and API resources. */
export function checkResponseCrypto(input: Record<string, unknown>, add: Add): void {
  const algs = serverAlgorithms(input);
  records(input.clients).forEach((c, i) => checkHolder(c, ['clients', i], algs, RESPONSES, add));
  records(input.apiResources).forEach((r, i) => checkHolder(r, ['apiResources', i], algs, ['introspection'], add));
}
