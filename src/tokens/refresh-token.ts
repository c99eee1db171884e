/**
 * Refresh tokens: random handles whose hash is stored as a `refresh_token`
 * record in the token's grant family. Lifetimes follow IdentityServer:
 * absolute (a fixed end) or sliding (each use extends it, up to the absolute end).
 */
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import type { StoredRecord } from '../stores/types.js';
import { handleId, newHandle } from './handles.js';
import type { RefreshTokenPayload } from './refresh-token-record.js';

export interface RefreshTokenRequest {
  client: Client;
  subjectId: string;
  sessionId?: string;
  /** Family id: the grant this token belongs to (revoked together, RFC 9700 §4.14.2). */
  grantId: string;
  payload: RefreshTokenPayload;
}

/** No absolute end (IdentityServer: absolute lifetime 0 with sliding expiration). */
const NO_ABSOLUTE_END = Number.MAX_SAFE_INTEGER;

/**
 * The absolute end of a new token family issued now.
 *
 * @example absoluteRefreshExpiry(client, now) // now + client.absoluteRefreshTokenLifetime
 */
export function absoluteRefreshExpiry(client: Client, now: number): number {
  if (client.absoluteRefreshTokenLifetime === 0 && client.refreshTokenExpiration === 'sliding') return NO_ABSOLUTE_END;
  return now + client.absoluteRefreshTokenLifetime;
}

/**
 * When a refresh token issued (or slid) now expires, never after the family's absolute end.
 *
 * @example refreshTokenExpiresAt(client, now, payload.absoluteExpiresAt)
 */
export function refreshTokenExpiresAt(client: Client, now: number, absoluteExpiresAt: number): number {
  const lifetime = client.refreshTokenExpiration === 'sliding' ? client.slidingRefreshTokenLifetime : client.absoluteRefreshTokenLifetime;
  return Math.min(now + lifetime, absoluteExpiresAt);
}

/**
 * Stores a new refresh token and returns its handle (given to the client, never stored).
 *
 * @example
 * const refreshToken = await issueRefreshToken(ctx, {
 *   client, subjectId, sessionId, grantId,
 *   payload: { scopes, audiences, absoluteExpiresAt: absoluteRefreshExpiry(client, now), authTime, amr },
 * });
 */
export async function issueRefreshToken(ctx: ProviderContext, req: RefreshTokenRequest): Promise<string> {
  const now = ctx.clock.now();
  const handle = newHandle();
  const record: StoredRecord<RefreshTokenPayload> = {
    kind: 'refresh_token',
    id: handleId(handle),
    subjectId: req.subjectId,
    clientId: req.client.clientId,
    sessionId: req.sessionId,
    grantId: req.grantId,
    createdAt: now,
    expiresAt: refreshTokenExpiresAt(req.client, now, req.payload.absoluteExpiresAt),
    payload: req.payload,
  };
  await ctx.stores.refreshTokens.put(record);
  return handle;
}
