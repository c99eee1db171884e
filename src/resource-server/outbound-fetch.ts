/**
 * Outbound requests of the resource server (metadata, JWKS, introspection):
 * bounded in time and size, no redirects followed, JSON objects only.
 */
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

async function readLimited(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new UpstreamError(`response larger than ${maxBytes} bytes`);
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new UpstreamError(`response larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
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
    throw new UpstreamError(`${url}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${limits.timeoutMs} ms` : 'request failed'}`);
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new UpstreamError(`${url}: status ${res.status}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readLimited(res, limits.maxBytes));
  } catch (err) {
    throw err instanceof UpstreamError ? new UpstreamError(`${url}: ${err.message}`) : new UpstreamError(`${url}: unreadable body`);
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
