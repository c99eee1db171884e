/**
 * The last step of every ID token, whichever grant or response type issues
 * it (tokens/id-token.ts): the client's signing alg (Registration §2
 * `id_token_signed_response_alg`) and, when it registered one, encryption to
 * its key as a nested JWT (OIDC Core §10.2: signed, then encrypted).
 */
import type { ProviderContext } from '../context.js';
import type { Client, SigningKey } from '../model/types.js';
import { encryptJwt } from './encrypt-jwt.js';
import { clientKeyHolder } from './encryption-key.js';
import { responseSigningKey } from './response-signing-key.js';
import { signJwt } from './sign-jwt.js';

/** The key that signs this client's ID tokens; its alg also selects the at_hash / c_hash hash (OIDC Core §3.1.3.6). */
export function idTokenSigningKey(ctx: ProviderContext, client: Client): SigningKey {
  return responseSigningKey(ctx, client.idTokenSignedResponseAlg);
}

/**
 * Signs the finished claims with `key` and encrypts the result when the
 * client registered `idTokenEncryptedResponseAlg` (enc default A128CBC-HS256).
 * Throws invalid_client_metadata when the client has no key for its alg.
 *
 * @example return finishIdToken(ctx, req.client, claims, key);
 */
export async function finishIdToken(ctx: ProviderContext, client: Client, claims: Record<string, unknown>, key: SigningKey): Promise<string> {
  const signed = await signJwt(claims, key, 'JWT');
  const alg = client.idTokenEncryptedResponseAlg;
  if (!alg) return signed;
  // OIDC Core §10.2 / RFC 7519 §5.2: cty JWT says the payload is itself a JWT.
  return encryptJwt(ctx, clientKeyHolder(client), signed, { alg, enc: client.idTokenEncryptedResponseEnc, cty: 'JWT' });
}
