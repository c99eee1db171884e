/**
 * Reads a response body with a size limit: a declared Content-Length above
 * the limit is refused before reading, and the bytes are counted while they
 * stream, so a chunked or lying server cannot push more than the limit.
 */
import { OutboundError } from './outbound-error.js';

/**
 * The whole body of `res`, at most `maxBytes` long. An aborted `signal` stops
 * the reading (reason `timeout`). Throws {@link OutboundError} `too_large`,
 * `timeout` or `network`; the response's own errors pass through when they
 * already are OutboundErrors.
 *
 * @example
 * const bytes = await readLimited(res, 256 * 1024, AbortSignal.timeout(5000));
 */
export async function readLimited(res: Response, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new OutboundError('too_large', `response declares ${Number(declared)} bytes, more than ${maxBytes}`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', stop, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw new OutboundError('timeout', 'no complete answer in time');
      const { done, value } = await reader.read();
      if (signal?.aborted) throw new OutboundError('timeout', 'no complete answer in time');
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new OutboundError('too_large', `response larger than ${maxBytes} bytes`);
      chunks.push(value);
    }
  } catch (err) {
    stop();
    if (err instanceof OutboundError) throw err;
    if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError')
      throw new OutboundError('timeout', 'no complete answer in time', { cause: err });
    throw new OutboundError('network', 'the response body could not be read', { cause: err });
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
