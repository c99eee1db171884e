/**
 * The back-channel logout side of the store's durable outbox: leases on
 * entries, and the drain every node runs (`authentication.backChannelLogoutOutboxInterval`)
 * that claims entries whose node died or gave up its lease, and delivers them.
 */
import type { ProviderContext } from '../context.js';
import type { ClaimedOutboxEntry, OutboxStore } from '../stores/types.js';
import { deliver } from './back-channel-logout.js';

/** The outbox entry kind of a back-channel logout delivery. */
export const LOGOUT_KIND = 'back_channel_logout';

/** What one delivery needs: the logout token is issued at each attempt. */
export interface DeliveryPayload {
  clientId: string;
  subjectId: string;
  sid: string;
}

/** Milliseconds a lease outlives the POST timeout: room for token signing and store writes. */
const LEASE_MARGIN_MS = 10_000;
/** Entries one drain pass claims. */
const DRAIN_BATCH = 50;

/** One held entry and what its holder may do with it. */
export interface Lease {
  entry: ClaimedOutboxEntry<DeliveryPayload>;
  /** Delivered or given up: the entry leaves the outbox. */
  complete(): Promise<boolean>;
  /** A failed attempt: due again at `dueAt` (epoch ms), lease released. */
  release(attempts: number, dueAt: number): Promise<boolean>;
  /** Claims the entry again once due; undefined when another node holds it or it is gone. */
  reclaim(): Promise<Lease | undefined>;
}

export function outboxOf(ctx: ProviderContext): OutboxStore {
  const outbox = ctx.backend.outbox;
  if (!outbox) throw new Error('the storage backend has no outbox');
  return outbox;
}

const leaseUntil = (ctx: ProviderContext, now: number) => now + ctx.config.authentication.backChannelLogoutTimeout * 1000 + LEASE_MARGIN_MS;

function leaseOf(ctx: ProviderContext, outbox: OutboxStore, entry: ClaimedOutboxEntry<DeliveryPayload>): Lease {
  return {
    entry,
    complete: () => outbox.complete(entry.id, entry.lease),
    release: (attempts, dueAt) => outbox.retry(entry.id, entry.lease, attempts, dueAt),
    reclaim: () => claimDelivery(ctx, outbox, entry.id),
  };
}

/** Claims one entry by id (when due and free). */
export async function claimDelivery(ctx: ProviderContext, outbox: OutboxStore, id: string): Promise<Lease | undefined> {
  const now = Date.now();
  const [entry] = await outbox.claim<DeliveryPayload>({ now, leaseUntil: leaseUntil(ctx, now), limit: 1, id });
  return entry && leaseOf(ctx, outbox, entry);
}

/**
 * One drain pass: claims the due, unleased entries (up to a batch) and
 * delivers each in the background. Returns how many it claimed.
 *
 * @example
 * setInterval(() => void drainLogoutOutbox(ctx), 5000);
 */
export async function drainLogoutOutbox(ctx: ProviderContext): Promise<number> {
  const outbox = outboxOf(ctx);
  const now = Date.now();
  // Only this kind: other outbox work (CIBA pings) is claimed by its own drain.
  const claimed = await outbox.claim<DeliveryPayload>({ now, leaseUntil: leaseUntil(ctx, now), limit: DRAIN_BATCH, kind: LOGOUT_KIND });
  for (const entry of claimed) {
    const lease = leaseOf(ctx, outbox, entry);
    ctx.background.run((stop) => deliver(ctx, entry, lease, stop));
  }
  return claimed.length;
}
