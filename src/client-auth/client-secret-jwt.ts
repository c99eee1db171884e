/**
 * client_secret_jwt: a JWT assertion signed with HMAC using a SymmetricKey
 * client secret as the key (RFC 7523 §2.2 and §3, OIDC Core §9).
 */
import { errors, jwtVerify, type JWTVerifyResult } from 'jose';
import type { ClientAuthMethod } from '../context.js';
import {
  acceptAssertion,
  assertionAlg,
  assertionClientId,
  assertionFailure,
  assertionPresented,
  assertionVerifyOptions,
  readAssertion,
} from './client-assertion.js';
import { clientAuthFailed } from './client-auth-failure.js';
import { isSecretActive } from './secrets.js';

/** HMAC algorithms accepted for client_secret_jwt. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

const isHmac = (alg: string | undefined) => alg !== undefined && (HMAC_ALGORITHMS as readonly string[]).includes(alg);

/**
 * The client_secret_jwt method. It claims assertions whose header alg is
 * HS256/384/512; every other assertion belongs to private_key_jwt.
 *
 * @example
 * // client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=eyJhbGciOiJIUzI1NiJ9...
 * methods.set(clientSecretJwt.name, clientSecretJwt);
 */
export const clientSecretJwt: ClientAuthMethod = {
  name: 'client_secret_jwt',
  presented: (req) => assertionPresented(req) && isHmac(assertionAlg(req)),
  clientId: (req) => assertionClientId(req),
  async verify(req, client, ctx, endpoint) {
    const assertion = readAssertion(req);
    const now = ctx.clock.now();
    const encoder = new TextEncoder();
    // Several active keys during rotation: try each; the UTF-8 bytes of the secret are the HMAC key.
    const keys = client.clientSecrets.filter((s) => s.type === 'SymmetricKey' && isSecretActive(s, now)).map((s) => encoder.encode(s.value));
    if (keys.length === 0) throw clientAuthFailed('no active SymmetricKey secret for client_secret_jwt');
    const options = assertionVerifyOptions(client, ctx, endpoint, HMAC_ALGORITHMS);
    let result: JWTVerifyResult | undefined;
    let lastError: unknown;
    for (const key of keys) {
      try {
        result = await jwtVerify(assertion, key, options);
        break;
      } catch (err) {
        // A wrong key fails the signature; any other failure is final.
        if (!(err instanceof errors.JWSSignatureVerificationFailed)) throw assertionFailure(err);
        lastError = err;
      }
    }
    if (!result) throw assertionFailure(lastError);
    await acceptAssertion(result.payload, client, ctx, endpoint);
  },
};
