/**
 * CIBA Core 1.0 §10.2 ping mode: once the user has decided, Gatehouse POSTs
 * `{"auth_req_id": ...}` with the client's client_notification_token as
 * Bearer credential to the client's notification endpoint; the client then
 * fetches the result at the token endpoint. The notification is written to
 * the store's durable outbox first (like back-channel logout,
 * sessions/back-channel-logout.ts), then sent in the background on this node;
 * a node that dies first leaves it to another node's drain. Requests go
 * through the outbound client (src/net): time and size limits, no redirects.
 * The endpoint is configured by the operator, so the trusted policy applies.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { createOutboundFetch, trustedPolicy } from '../net/index.js';
import type { ClaimedOutboxEntry, OutboxStore } from '../stores/types.js';
import { pause } from '../tasks/background-tasks.js';

/** The outbox entry kind of a ping notification. */
export const PING_KIND = 'ciba_ping';

export interface PingPayload {
  clientId: string;
  endpoint: string;
  token: string;
  authReqId: string;
}

/** First pause between attempts in ms; doubles per attempt. */
const RETRY_PAUSE_MS = 250;
const LEASE_MARGIN_MS = 10_000;
const DRAIN_BATCH = 50;

type Attempt = { ok: true; status: number } | { ok: false; retry: boolean; reason: string };

function outboxOf(ctx: ProviderContext): OutboxStore {
  const outbox = ctx.backend.outbox;
  if (!outbox) throw new Error('the storage backend has no outbox');
  return outbox;
}

const leaseUntil = (ctx: ProviderContext, now: number) => now + ctx.config.outbound.timeout + LEASE_MARGIN_MS;

async function post(ctx: ProviderContext, p: PingPayload, stop: AbortSignal): Promise<Attempt> {
  const send = createOutboundFetch(trustedPolicy(ctx.config.outbound));
  try {
    const res = await send(p.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${p.token}` },
      body: JSON.stringify({ auth_req_id: p.authReqId }),
      signal: stop,
    });
    await res.body?.cancel().catch(() => undefined);
    // §10.2: the client answers 204 No Content (200 is accepted too).
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, retry: res.status >= 500 || res.status === 429, reason: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, retry: !stop.aborted, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Sends one held entry: attempts until success, a final failure or the retries are used up; then completes it. */
async function deliver(ctx: ProviderContext, outbox: OutboxStore, held: ClaimedOutboxEntry<PingPayload>, stop: AbortSignal): Promise<void> {
  let entry = held;
  let attempts = entry.attempts;
  let last: Attempt;
  for (;;) {
    last = await post(ctx, entry.payload, stop);
    attempts++;
    if (last.ok) {
      await outbox.complete(entry.id, entry.lease);
      ctx.events({ type: 'ciba_ping_sent', clientId: entry.payload.clientId, detail: { status: last.status, attempts } });
      return;
    }
    if (stop.aborted) {
      await outbox.retry(entry.id, entry.lease, attempts - 1, Date.now());
      return;
    }
    if (!last.retry || attempts > ctx.config.ciba.pingRetries) break;
    const wait = RETRY_PAUSE_MS * 2 ** (attempts - 1);
    if (!(await outbox.retry(entry.id, entry.lease, attempts, Date.now() + wait))) return;
    if (!(await pause(wait, stop))) return;
    const now = Date.now();
    const [again] = await outbox.claim<PingPayload>({ now, leaseUntil: leaseUntil(ctx, now), limit: 1, id: entry.id, kind: PING_KIND });
    if (!again) return; // another node holds it now
    entry = again;
  }
  await outbox.complete(entry.id, entry.lease);
  ctx.logger.warn({ clientId: entry.payload.clientId, reason: last.reason, attempts }, 'CIBA ping notification failed');
  ctx.events({ type: 'ciba_ping_failed', clientId: entry.payload.clientId, detail: { reason: last.reason, attempts } });
}

/**
 * Queues the ping of a decided request: durable in the outbox before this
 * resolves, sent from here in the background.
 *
 * @example
 * await queuePing(ctx, { clientId, endpoint, token, authReqId });
 */
export async function queuePing(ctx: ProviderContext, payload: PingPayload): Promise<void> {
  const outbox = outboxOf(ctx);
  const now = Date.now();
  const id = randomUUID();
  await outbox.add([{ id, kind: PING_KIND, payload, attempts: 0, dueAt: now, createdAt: now }]);
  ctx.background.run(async (stop) => {
    const [entry] = await outbox.claim<PingPayload>({ now: Date.now(), leaseUntil: leaseUntil(ctx, Date.now()), limit: 1, id, kind: PING_KIND });
    // Unclaimed: another node's drain took it first.
    if (entry) await deliver(ctx, outbox, entry, stop);
  });
}

/**
 * One drain pass: claims due pings left by a node that died (or whose retry
 * is due) and sends them in the background. Returns how many it claimed.
 */
export async function drainPingOutbox(ctx: ProviderContext): Promise<number> {
  const outbox = outboxOf(ctx);
  const now = Date.now();
  const claimed = await outbox.claim<PingPayload>({ now, leaseUntil: leaseUntil(ctx, now), limit: DRAIN_BATCH, kind: PING_KIND });
  for (const entry of claimed) ctx.background.run((stop) => deliver(ctx, outbox, entry, stop));
  return claimed.length;
}
