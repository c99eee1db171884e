/**
 * JWE compact serialisation (RFC 7516 §7.1) of a response for a client:
 * nested JWTs (a signed JWT inside, `cty: JWT`, RFC 7519 §5.2 and OIDC Core
 * §10.2) and encrypted-only claim sets (OIDC Core §5.3.2).
 */
import { CompactEncrypt, type CompactJWEHeaderParameters } from 'jose';
import { DEFAULT_JWE_ENCRYPTION, type JweAlgorithm, type JweEncryption } from '../config/response-crypto-schema.js';
import type { ProviderContext } from '../context.js';
import { encryptionKey, type EncryptionKeyHolder } from './encryption-key.js';

const encoder = new TextEncoder();

export interface EncryptionSettings {
  alg: JweAlgorithm;
  /** Default A128CBC-HS256 (OpenID Connect Dynamic Client Registration 1.0 §2). */
  enc?: JweEncryption;
  /** `JWT` for a nested JWT (RFC 7519 §5.2), or the inner JWT's media type; absent for a plain claim set. */
  cty?: string;
}

/**
 * Encrypts `plaintext` to the holder's public key for `alg`; throws
 * invalid_client_metadata when it has none (tokens/encryption-key.ts).
 *
 * @example
 * const jwe = await encryptJwt(ctx, clientKeyHolder(client), signedIdToken, { alg: 'RSA-OAEP', cty: 'JWT' });
 */
export async function encryptJwt(ctx: ProviderContext, holder: EncryptionKeyHolder, plaintext: string, settings: EncryptionSettings): Promise<string> {
  const { key, kid } = await encryptionKey(ctx, holder, settings.alg);
  const header: CompactJWEHeaderParameters = { alg: settings.alg, enc: settings.enc ?? DEFAULT_JWE_ENCRYPTION };
  if (kid !== undefined) header.kid = kid;
  if (settings.cty !== undefined) header.cty = settings.cty;
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader(header).encrypt(key);
}
