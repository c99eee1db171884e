/**
 * Initial access tokens (RFC 7591 §3): minted by the operator
 * (`gatehouse registration token create`), given to whoever may register a
 * client, stored as their hash only.
 */
import type { Backend } from '../stores/types.js';
import type { Clock } from '../model/types.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { initialAccessTokenStore } from '../stores/typed/registered-clients.js';

export interface InitialAccessTokenOptions {
  /** Seconds the token is valid. */
  lifetime: number;
  /** Spent by its first registration (default: valid for any number until it expires). */
  singleUse?: boolean;
  description?: string;
}

/**
 * A new initial access token; only its hash is stored.
 *
 * @example const token = await createInitialAccessToken({ backend, clock }, { lifetime: 86400 });
 */
export async function createInitialAccessToken(ctx: { backend: Pick<Backend, 'records'>; clock: Clock }, o: InitialAccessTokenOptions): Promise<string> {
  const token = newHandle();
  const now = ctx.clock.now();
  await initialAccessTokenStore(ctx.backend.records).add(
    handleId(token),
    { singleUse: o.singleUse ?? false, description: o.description },
    now,
    now + o.lifetime,
  );
  return token;
}
