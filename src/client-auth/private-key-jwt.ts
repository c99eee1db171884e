/**
 * private_key_jwt: a JWT assertion signed with the client's private key and
 * verified against its registered public keys (RFC 7523 §2.2 and §3, OIDC Core §9).
 */
import { jwtVerify, type JWTVerifyGetKey } from 'jose';
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
import { HMAC_ALGORITHMS } from './client-secret-jwt.js';
import type { ClientJwksCache } from './client-jwks-cache.js';

/** Asymmetric algorithms accepted for private_key_jwt; `none` and HS* never are. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/**
 * Builds the private_key_jwt method around a provider-owned JWKS cache.
 * It claims every assertion that is not HMAC-signed, so an assertion with
 * alg `none` or an unknown alg is presented here and refused.
 *
 * @example
 * const method = createPrivateKeyJwt(createClientJwksCache());
 * methods.set(method.name, method);
 */
export function createPrivateKeyJwt(cache: ClientJwksCache): ClientAuthMethod {
  return {
    name: 'private_key_jwt',
    presented: (req) => {
      if (!assertionPresented(req)) return false;
      const alg = assertionAlg(req);
      return alg === undefined || !(HMAC_ALGORITHMS as readonly string[]).includes(alg);
    },
    clientId: (req) => assertionClientId(req),
    async verify(req, client, ctx, endpoint) {
      const assertion = readAssertion(req);
      let keys: JWTVerifyGetKey | undefined;
      try {
        keys = cache.get(client);
      } catch (err) {
        throw clientAuthFailed(`client jwks unusable: ${(err as Error).message}`);
      }
      if (!keys) throw clientAuthFailed('client has neither jwks nor jwksUri');
      const options = assertionVerifyOptions(client, ctx, endpoint, ASYMMETRIC_ALGORITHMS);
      let payload;
      try {
        ({ payload } = await jwtVerify(assertion, keys, options));
      } catch (err) {
        throw assertionFailure(err);
      }
      await acceptAssertion(payload, client, ctx, endpoint);
    },
  };
}
