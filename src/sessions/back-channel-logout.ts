/**
 * OpenID Connect Back-Channel Logout 1.0 §2.5: POSTs a logout token to each
 * client's backChannelLogoutUri. A logout first writes one entry per client
 * into the store's durable outbox (sessions/logout-outbox.ts), then delivers
 * it in the background on this node, so the user's browser is never held up
 * and a node that dies before delivering leaves the entry to another node.
 * Each POST has a timeout; network errors, timeouts, 429 and 5xx answers are
 * retried with a pause that doubles per attempt; a final failure is logged
 * and emitted as a `back_channel_logout_failed` event.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import type { OutboxEntry } from '../stores/types.js';
import { pause } from '../tasks/background-tasks.js';
import { issueLogoutToken } from '../tokens/logout-token.js';
import { claimDelivery, LOGOUT_KIND, outboxOf, type DeliveryPayload, type Lease } from './logout-outbox.js';

/** First pause between attempts in ms; doubles per attempt. */
export const RETRY_PAUSE_MS = 250;

type Attempt = { ok: true; status: number } | { ok: false; retry: boolean; reason: string };

async function post(uri: string, token: string, timeoutSeconds: number, stop: AbortSignal): Promise<Attempt> {
  try {
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      // §2.5: the RP answers the POST itself; a redirect is not followed.
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutSeconds * 1000), stop]),
    });
    await res.body?.cancel().catch(() => undefined);
    // §2.8: 200 on success (some frameworks answer 204); 400 when the RP refused the token.
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, retry: res.status >= 500 || res.status === 429, reason: `HTTP ${res.status}` };
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    const reason =
      name === 'TimeoutError'
        ? 'timeout'
        : name === 'AbortError'
          ? 'aborted'
          : `network error: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`;
    return { ok: false, retry: !stop.aborted, reason };
  }
}

/** One attempt; a failure to sign the token (keys unavailable, store down) counts as a retryable failure. */
async function attempt(
  ctx: ProviderContext,
  client: Client,
  uri: string,
  session: { subjectId: string; sid: string },
  timeout: number,
  stop: AbortSignal,
): Promise<Attempt> {
  let token: string;
  try {
    // A fresh token per attempt: each has its own jti and a full lifetime.
    token = await issueLogoutToken(ctx, { client, ...session });
  } catch (err) {
    return { ok: false, retry: true, reason: `cannot issue the logout token: ${err instanceof Error ? err.message : String(err)}` };
  }
  return post(uri, token, timeout, stop);
}

/**
 * Delivers one outbox entry held under `lease`: attempts until success, a
 * final failure or the retries are used up, then completes the entry. Between
 * attempts the lease is released with the next due time, and claimed again
 * when due (by this node, unless another one claimed it first). On shutdown
 * the entry stays in the outbox for any node.
 */
export async function deliver(ctx: ProviderContext, entry: OutboxEntry<DeliveryPayload>, lease: Lease, stop: AbortSignal): Promise<void> {
  const { clientId, subjectId, sid } = entry.payload;
  const client = ctx.clients.find(clientId);
  const uri = client?.enabled ? client.backChannelLogoutUri : undefined;
  if (!client || !uri) {
    // The client was removed or changed since the logout: nothing to notify.
    await lease.complete();
    ctx.logger.info({ clientId }, 'back-channel logout dropped: the client no longer has a back-channel logout URI');
    return;
  }
  const { backChannelLogoutTimeout: timeout, backChannelLogoutRetries: retries } = ctx.config.authentication;
  let attempts = entry.attempts;
  let last: Attempt | undefined;
  for (;;) {
    last = await attempt(ctx, client, uri, { subjectId, sid }, timeout, stop);
    attempts++;
    if (last.ok) {
      await lease.complete();
      ctx.events({ type: 'back_channel_logout_sent', clientId, subjectId, detail: { sid, status: last.status, attempts } });
      return;
    }
    if (stop.aborted) {
      await lease.release(attempts - 1, Date.now());
      return;
    }
    if (!last.retry || attempts > retries) break;
    const wait = RETRY_PAUSE_MS * 2 ** (attempts - 1);
    if (!(await lease.release(attempts, Date.now() + wait))) return;
    if (!(await pause(wait, stop))) return;
    const again = await lease.reclaim();
    if (!again) return; // another node holds it now
    lease = again;
  }
  await lease.complete();
  ctx.logger.warn({ clientId, uri, reason: last.reason, attempts }, 'back-channel logout failed');
  ctx.events({ type: 'back_channel_logout_failed', clientId, subjectId, detail: { sid, uri, reason: last.reason, attempts } });
}

/**
 * Queues the logout notifications of the clients of a session that ended:
 * durable in the store's outbox before this resolves, delivered from here in
 * the background (or by another node should this one die first).
 *
 * @example
 * await notifyBackChannel(ctx, [client], { subjectId: '1', sid });
 */
export async function notifyBackChannel(ctx: ProviderContext, clients: readonly Client[], session: { subjectId: string; sid: string }): Promise<void> {
  const now = Date.now();
  const entries: OutboxEntry<DeliveryPayload>[] = clients
    .filter((c) => c.backChannelLogoutUri)
    .map((c) => ({
      id: randomUUID(),
      kind: LOGOUT_KIND,
      payload: { clientId: c.clientId, subjectId: session.subjectId, sid: session.sid },
      attempts: 0,
      dueAt: now,
      createdAt: now,
    }));
  if (entries.length === 0) return;
  const outbox = outboxOf(ctx);
  await outbox.add(entries);
  for (const e of entries) {
    ctx.background.run(async (stop) => {
      const lease = await claimDelivery(ctx, outbox, e.id);
      // Unclaimed: another node's drain took it first.
      if (lease) await deliver(ctx, lease.entry, lease, stop);
    });
  }
}
