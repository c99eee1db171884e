/**
 * WebAuthn challenges (WebAuthn §13.4.3: random, at least 16 bytes, used
 * once): stored as an operational record under the hash of a random handle
 * that only this browser holds (an HttpOnly cookie), with what the challenge
 * is for (registration by a signed-in user, or an assertion on one sign-in
 * interaction) and an expiry. Consumed atomically, so a response is verified
 * against its challenge at most once.
 */
import type { ProviderContext } from '../context.js';
import type { SetCookie } from '../core/types.js';
import { handleId, newHandle } from '../tokens/handles.js';

export const CHALLENGE_COOKIE = 'gh.webauthn';

export interface ChallengePayload {
  challenge: string;
  purpose: 'register' | 'authenticate';
  /** The signed-in user registering a passkey, or the user of a second-factor assertion. */
  subjectId?: string;
  /** The sign-in interaction an assertion belongs to. */
  interactionId?: string;
}

/** Stores a challenge; the cookie binds it to this browser. */
export async function saveChallenge(ctx: ProviderContext, payload: ChallengePayload): Promise<SetCookie> {
  const handle = newHandle();
  const now = ctx.clock.now();
  const lifetime = ctx.config.mfa.webauthn.challengeLifetime;
  await ctx.backend.records.put({
    kind: 'webauthn_challenge',
    id: handleId(handle),
    createdAt: now,
    expiresAt: now + lifetime,
    subjectId: payload.subjectId,
    payload,
  });
  return { name: CHALLENGE_COOKIE, value: handle, maxAge: lifetime };
}

/** The browser's live challenge, consumed (a second call gets nothing); undefined when absent, spent or expired. */
export async function takeChallenge(ctx: ProviderContext, cookies: Readonly<Record<string, string>>): Promise<ChallengePayload | undefined> {
  const handle = cookies[CHALLENGE_COOKIE];
  if (!handle || handle.length > 64) return undefined;
  const now = ctx.clock.now();
  const rec = await ctx.backend.records.consume<ChallengePayload>('webauthn_challenge', handleId(handle), now);
  return rec && rec.expiresAt > now ? rec.payload : undefined;
}

export const clearChallengeCookie = (): SetCookie => ({ name: CHALLENGE_COOKIE, value: '', maxAge: 0 });
