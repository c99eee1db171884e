/**
 * The user's side of CIBA (Core 1.0 §8, §9): the pending requests of a
 * signed-in user, and their decision. The built-in home page calls these; a
 * host's own authentication device (an app behind its own sign-in) can too.
 */
import type { ProviderContext } from '../context.js';
import type { SessionPayload } from '../sessions/session-record.js';
import type { CibaRequestRecord } from '../stores/typed/index.js';
import { queuePing } from './ping-notification.js';

/** A pending request as the user sees it. */
export interface PendingCibaRequest {
  /** The request's storage id (the hash of its auth_req_id): names it in the decision form, useless as an auth_req_id. */
  id: string;
  clientId: string;
  clientName: string;
  scopes: string[];
  bindingMessage?: string;
  /** Epoch seconds. */
  expiresAt: number;
}

function view(ctx: ProviderContext, rec: CibaRequestRecord): PendingCibaRequest {
  const clientId = rec.clientId ?? '';
  const client = ctx.clients.find(clientId);
  return {
    id: rec.id,
    clientId,
    clientName: client?.clientName ?? clientId,
    scopes: rec.payload.scopes,
    bindingMessage: rec.payload.bindingMessage,
    expiresAt: rec.expiresAt,
  };
}

/**
 * Requests waiting for this user's decision, oldest first.
 *
 * @example
 * const pending = await pendingCibaRequests(ctx, session.subjectId);
 */
export async function pendingCibaRequests(ctx: ProviderContext, subjectId: string): Promise<PendingCibaRequest[]> {
  const records = await ctx.stores.cibaRequests.pendingOf(subjectId, ctx.clock.now());
  return records.map((r) => view(ctx, r));
}

export type DecisionOutcome = 'recorded' | 'not_found' | 'already_decided';

/**
 * Records the signed-in user's decision on one of their requests; in ping
 * mode the client is then notified (§10.2). Only the user the request names
 * may decide it, only once, and only before it expires.
 *
 * @example
 * await decideCibaRequest(ctx, { subjectId, payload: session.payload }, id, true);
 */
export async function decideCibaRequest(
  ctx: ProviderContext,
  user: { subjectId: string; payload: Pick<SessionPayload, 'authTime' | 'amr' | 'acr'> },
  id: string,
  approved: boolean,
): Promise<DecisionOutcome> {
  const store = ctx.stores.cibaRequests;
  const now = ctx.clock.now();
  const rec = await store.find(id);
  if (!rec || rec.subjectId !== user.subjectId || rec.consumedAt !== undefined || rec.expiresAt <= now) return 'not_found';
  const { authTime, amr, acr } = user.payload;
  const recorded = await store.decide(rec, { type: 'decision', approved, decidedAt: now, authTime, amr, acr }, now);
  if (!recorded) return 'already_decided';
  ctx.events({ type: approved ? 'ciba_request_approved' : 'ciba_request_denied', clientId: rec.clientId, subjectId: rec.subjectId });
  const ping = rec.payload.ping;
  if (ping && rec.clientId) await queuePing(ctx, { clientId: rec.clientId, ...ping });
  return 'recorded';
}
