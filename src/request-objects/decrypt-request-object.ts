/**
 * Encrypted request objects (RFC 9101 §6.1, OIDC Core §6.3.1): a JWE in
 * compact serialization to one of the server's published encryption keys
 * (`use: "enc"`, `requestObjects.encryptionKeyAlg`). Its plaintext is the
 * nested JWT (signed, or unsecured with `alg: none`), which is then verified
 * like any request object.
 */
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import type { ProviderContext } from '../context.js';
import { InvalidRequestObject } from '../errors.js';
import { JWE_ENCRYPTIONS } from '../config/response-crypto-schema.js';

/** Content encryption algorithms accepted (discovery `request_object_encryption_enc_values_supported`). */
export const REQUEST_OBJECT_ENCRYPTIONS: readonly string[] = JWE_ENCRYPTIONS;

/** The JWE alg of the server's encryption keys, when encrypted request objects are on. */
export function requestObjectEncryptionAlgs(ctx: ProviderContext): string[] {
  const alg = ctx.config.requestObjects.encryptionKeyAlg;
  return alg ? [alg] : [];
}

/** Is `jwt` a JWE in compact serialization (five parts, RFC 7516 §7.1)? */
export const isCompactJwe = (jwt: string) => jwt.split('.').length === 5;

/** The nested JWT of an encrypted request object; throws invalid_request_object. */
export async function decryptRequestObject(ctx: ProviderContext, jwe: string): Promise<string> {
  const algs = requestObjectEncryptionAlgs(ctx);
  const keys = ctx.keys.encryptionKeys?.() ?? [];
  if (algs.length === 0 || keys.length === 0) throw new InvalidRequestObject('encrypted request objects are not supported');
  let header;
  try {
    header = decodeProtectedHeader(jwe);
  } catch {
    throw new InvalidRequestObject('the encrypted request object has no valid protected header');
  }
  // The kid names the key; without one, every published key of the alg is tried (they are few).
  const candidates = keys.filter((k) => k.alg === (header.alg as string) && (header.kid === undefined || k.kid === header.kid));
  if (candidates.length === 0) throw new InvalidRequestObject('the request object is not encrypted to a published key of this server');
  let last: unknown;
  for (const key of candidates) {
    try {
      const { plaintext } = await compactDecrypt(jwe, key.privateKey, {
        keyManagementAlgorithms: algs,
        contentEncryptionAlgorithms: [...REQUEST_OBJECT_ENCRYPTIONS],
      });
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch (err) {
      last = err;
    }
  }
  throw new InvalidRequestObject('the request object could not be decrypted', last instanceof Error ? `${last.name}: ${last.message}` : undefined);
}
