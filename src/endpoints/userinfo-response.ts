/**
 * OIDC Core §5.3.2: the UserInfo response as JSON, or, when the client
 * registered `userinfo_signed_response_alg` and/or
 * `userinfo_encrypted_response_alg`, as a JWT (`application/jwt`): signed
 * with iss and aud added, encrypted to the client's key, or signed then
 * encrypted (a nested JWT, cty JWT).
 */
import type { ProviderContext } from '../context.js';
import { noStoreJson, type InternalResponse } from '../core/types.js';
import type { Client } from '../model/types.js';
import { encryptJwt } from '../tokens/encrypt-jwt.js';
import { clientKeyHolder } from '../tokens/encryption-key.js';
import { responseSigningKey } from '../tokens/response-signing-key.js';
import { signJwt } from '../tokens/sign-jwt.js';

function jwtResponse(jwt: string): InternalResponse {
  return { status: 200, headers: { 'content-type': 'application/jwt', 'cache-control': 'no-store', pragma: 'no-cache' }, body: jwt };
}

/**
 * The response for the client's userinfo settings. Throws
 * invalid_client_metadata when the client asks for encryption and has no
 * usable key.
 *
 * @example return userinfoResponse(ctx, client, { ...claims, sub });
 */
export async function userinfoResponse(ctx: ProviderContext, client: Client, claims: Record<string, unknown>): Promise<InternalResponse> {
  const signAlg = client.userinfoSignedResponseAlg;
  const encryptAlg = client.userinfoEncryptedResponseAlg;
  if (!signAlg) {
    if (!encryptAlg) return noStoreJson(claims);
    // Encrypted only: the JWE's plaintext is the claims set itself.
    return jwtResponse(await encryptJwt(ctx, clientKeyHolder(client), JSON.stringify(claims), { alg: encryptAlg, enc: client.userinfoEncryptedResponseEnc }));
  }
  // §5.3.2: a signed response carries iss (this issuer) and aud (the client id).
  const signed = await signJwt({ ...claims, iss: ctx.issuer, aud: client.clientId }, responseSigningKey(ctx, signAlg));
  if (!encryptAlg) return jwtResponse(signed);
  return jwtResponse(await encryptJwt(ctx, clientKeyHolder(client), signed, { alg: encryptAlg, enc: client.userinfoEncryptedResponseEnc, cty: 'JWT' }));
}
