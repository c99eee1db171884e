/** The server key that signs a response in the alg a client (or API) registered. */
import type { SigningAlgorithm } from '../config/schema.js';
import type { ProviderContext } from '../context.js';
import { InvalidClientMetadata } from '../errors.js';
import type { SigningKey } from '../model/types.js';

/**
 * The active key of `alg`, or of the first configured alg when none is asked
 * for. A configured client's alg is checked at startup; one from a host's
 * client store is checked here, so a missing key is a client error, not a 500.
 *
 * @example const key = responseSigningKey(ctx, client.idTokenSignedResponseAlg);
 */
export function responseSigningKey(ctx: ProviderContext, alg?: SigningAlgorithm): SigningKey {
  if (alg !== undefined && !ctx.config.keys.algorithms.includes(alg)) {
    throw new InvalidClientMetadata(`the server has no ${alg} signing key`, `keys.algorithms is ${ctx.config.keys.algorithms.join(', ')}`);
  }
  return ctx.keys.signingKey(alg);
}
