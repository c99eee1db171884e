/**
 * Outbound requests of the resource server (metadata, JWKS, introspection):
 * bounded in time and size, no redirects followed, JSON objects only. The
 * default client is the shared outbound one (src/net) with the trusted
 * policy: the issuer is configured by the operator, so private addresses are
 * fine, and the limits apply. A host's own `fetch` gets the same time limit
 * and size-limited reader.
 */
import { createOutboundFetch, OutboundError, readLimited, trustedPolicy } from '../net/index.js';
import type { FetchLike } from './types.js';

export interface FetchLimits {
  fetch: FetchLike;
  timeoutMs: number;
  maxBytes: number;
}

/** An outbound request failed (network, status, size, time, not JSON): the API answers 503. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}

/**
 * The default fetch of a resource server: the shared outbound client for
 * operator-configured URLs (any address; http is checked by the resource
 * server's own URL rules), within these limits.
 */
export function defaultResourceServerFetch(timeoutMs: number, maxBytes: number): FetchLike {
  const out = createOutboundFetch(trustedPolicy({ timeout: timeoutMs, maxBytes, allowPrivateNetworks: true }));
  return (request) => out(request);
}

/**
 * Sends `request` and parses a JSON object answer with status 200.
 * Anything else (a redirect, another status, a timeout, an oversized or
 * non-object body) is an {@link UpstreamError}.
 */
export async function fetchJsonObject(limits: FetchLimits, url: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let res: Response;
  try {
    res = await limits.fetch(new Request(url, { ...init, redirect: 'manual', signal }));
  } catch (err) {
    const e = err as Error;
    const why =
      e.name === 'TimeoutError' || (e instanceof OutboundError && e.reason === 'timeout')
        ? `no answer within ${limits.timeoutMs} ms`
        : e instanceof OutboundError
          ? e.reason
          : 'request failed';
    throw new UpstreamError(`${url}: ${why}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new UpstreamError(`${url}: status ${res.status}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readLimited(res, limits.maxBytes, signal));
  } catch (err) {
    if (err instanceof OutboundError && err.reason === 'too_large') throw new UpstreamError(`${url}: response larger than ${limits.maxBytes} bytes`);
    if (err instanceof OutboundError && err.reason === 'timeout') throw new UpstreamError(`${url}: no answer within ${limits.timeoutMs} ms`);
    throw new UpstreamError(`${url}: unreadable body`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamError(`${url}: not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UpstreamError(`${url}: not a JSON object`);
  return json as Record<string, unknown>;
}
