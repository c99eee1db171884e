/**
 * Verifies a request object's signature (RFC 9101 §6.2, OIDC Core §6.3.2):
 * asymmetric algorithms with the client's registered keys (`jwks` or
 * `jwksUri`, through the provider's client JWKS cache), HS256/384/512 with a
 * client secret kept in plain form (a `SymmetricKey` secret: OIDC Core §10.1,
 * the UTF-8 octets of the secret are the key). Hashed secrets (`SharedSecret`)
 * cannot verify an HMAC, so such clients must sign with a key.
 */
import { compactVerify, errors } from 'jose';
import type { ProviderContext } from '../context.js';
import { InvalidRequestObject } from '../errors.js';
import type { Client } from '../model/types.js';
import { isSecretActive } from '../client-auth/secrets.js';
import { ASYMMETRIC_ALGORITHMS } from '../client-auth/private-key-jwt.js';
import { HMAC_ALGORITHMS } from '../client-auth/client-secret-jwt.js';

/** The JWS algorithms a request object may be signed with (discovery `request_object_signing_alg_values_supported`, besides `none`). */
export const REQUEST_OBJECT_ALGORITHMS: readonly string[] = [...ASYMMETRIC_ALGORITHMS.filter((a) => a !== 'Ed25519'), ...HMAC_ALGORITHMS];

const isHmac = (alg: string) => (HMAC_ALGORITHMS as readonly string[]).includes(alg);
const encoder = new TextEncoder();

function badSignature(err: unknown): InvalidRequestObject {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new InvalidRequestObject('the request object signature is invalid or its key is not registered for this client', detail);
}

async function verifyHmac(ctx: ProviderContext, client: Client, jwt: string, alg: string): Promise<void> {
  const now = ctx.clock.now();
  const keys = client.clientSecrets.filter((s) => s.type === 'SymmetricKey' && isSecretActive(s, now)).map((s) => encoder.encode(s.value));
  if (keys.length === 0)
    throw new InvalidRequestObject(`${alg} needs a client secret the server holds in plain form; sign the request object with a registered key`);
  let last: unknown;
  for (const key of keys) {
    try {
      await compactVerify(jwt, key, { algorithms: [alg] });
      return;
    } catch (err) {
      last = err;
      if (!(err instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  throw badSignature(last);
}

/** Throws invalid_request_object unless `jwt` (alg `alg`, already parsed) carries a valid signature of `client`. */
export async function verifyRequestObjectSignature(ctx: ProviderContext, client: Client, jwt: string, alg: string): Promise<void> {
  if (!REQUEST_OBJECT_ALGORITHMS.includes(alg)) throw new InvalidRequestObject(`request object alg ${alg.slice(0, 20)} is not supported`);
  if (isHmac(alg)) return verifyHmac(ctx, client, jwt, alg);
  let keys;
  try {
    keys = ctx.clientJwks?.get(client);
  } catch (err) {
    throw badSignature(err);
  }
  if (!keys) throw new InvalidRequestObject('the client has no registered keys (jwks or jwks_uri) to verify the request object with');
  try {
    await compactVerify(jwt, keys, { algorithms: [alg] });
  } catch (err) {
    throw badSignature(err);
  }
}
