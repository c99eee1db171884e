/** Remembered consent per user and client (kind 'consent'). */
import { createHash } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { StoredRecord } from '../stores/types.js';

const FOREVER = 253402300799; // 9999-12-31

function consentId(subjectId: string, clientId: string): string {
  return createHash('sha256').update(`${subjectId}\u0000${clientId}`).digest('base64url');
}

/** The scopes the user has consented to for the client, if remembered and not expired. */
export async function findConsent(ctx: ProviderContext, subjectId: string, clientId: string): Promise<string[] | undefined> {
  const rec = await ctx.stores.consents.find(consentId(subjectId, clientId));
  if (!rec || rec.expiresAt <= ctx.clock.now()) return undefined;
  return rec.payload.scopes;
}

/** Remembers a consent decision; lifetime 0 means until revoked. */
/** The write that remembers a consent (stored with the rest of a decision). */
export function consentWrite(ctx: ProviderContext, subjectId: string, clientId: string, scopes: string[], lifetime: number): { put: StoredRecord } {
  const now = ctx.clock.now();
  return {
    put: {
      kind: 'consent',
      id: consentId(subjectId, clientId),
      subjectId,
      clientId,
      createdAt: now,
      expiresAt: lifetime > 0 ? now + lifetime : FOREVER,
      payload: { scopes },
    },
  };
}

/** True when every requested scope is covered by the remembered consent. */
export function consentCovers(consented: readonly string[] | undefined, requested: readonly string[]): boolean {
  if (!consented) return false;
  const set = new Set(consented);
  return requested.every((s) => set.has(s));
}
