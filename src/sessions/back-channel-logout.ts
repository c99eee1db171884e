/**
 * OpenID Connect Back-Channel Logout 1.0 §2.5: POSTs a logout token to each
 * client's backChannelLogoutUri, in the background so the user's browser is
 * never held up. Each POST has a timeout; network errors, timeouts and 5xx
 * answers are retried with a growing pause; a final failure is logged and
 * emitted as a `back_channel_logout_failed` event.
 */
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import { pause } from '../tasks/background-tasks.js';
import { issueLogoutToken } from '../tokens/logout-token.js';

/** First pause between attempts in ms; doubles per attempt. */
const RETRY_PAUSE_MS = 250;

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
    const reason = name === 'TimeoutError' ? 'timeout' : name === 'AbortError' ? 'aborted' : `network error: ${err instanceof Error ? (err.cause as Error | undefined)?.message ?? err.message : String(err)}`;
    return { ok: false, retry: !stop.aborted, reason };
  }
}

/**
 * Queues the logout notification of one client for a session that ended.
 *
 * @example
 * notifyBackChannel(ctx, client, { subjectId: '1', sid });
 */
export function notifyBackChannel(ctx: ProviderContext, client: Client, session: { subjectId: string; sid: string }): void {
  const uri = client.backChannelLogoutUri;
  if (!uri) return;
  const { backChannelLogoutTimeout: timeout, backChannelLogoutRetries: retries } = ctx.config.authentication;
  ctx.background.run(async (stop) => {
    let last: Attempt | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && !(await pause(RETRY_PAUSE_MS * 2 ** (attempt - 1), stop))) break;
      // A fresh token per attempt: each has its own jti and a full lifetime.
      const token = await issueLogoutToken(ctx, { client, subjectId: session.subjectId, sid: session.sid });
      last = await post(uri, token, timeout, stop);
      if (last.ok) {
        ctx.events({ type: 'back_channel_logout_sent', clientId: client.clientId, subjectId: session.subjectId, detail: { sid: session.sid, status: last.status, attempts: attempt + 1 } });
        return;
      }
      if (!last.retry) break;
    }
    const reason = last && !last.ok ? last.reason : 'not sent';
    ctx.logger.warn({ clientId: client.clientId, uri, reason }, 'back-channel logout failed');
    ctx.events({ type: 'back_channel_logout_failed', clientId: client.clientId, subjectId: session.subjectId, detail: { sid: session.sid, uri, reason } });
  });
}
