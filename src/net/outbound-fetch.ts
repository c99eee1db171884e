/**
 * One outbound HTTP client for the whole server (JWKS, metadata documents,
 * sector identifiers, request objects by reference): a total time limit, a
 * size limit, no redirects, https unless allowed, and SSRF protection (see
 * vet-host.ts). It answers Web `Response`s, so it can stand in for `fetch`
 * where a library takes one (jose's `customFetch`, the resource server).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import { rootCertificates } from 'node:tls';
import { describeUrl, OutboundError } from './outbound-error.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type OutboundPolicy } from './outbound-policy.js';
import { readLimited } from './read-limited.js';
import { pinnedLookup, vetHost } from './vet-host.js';

export interface OutboundInit {
  method?: string;
  headers?: HeadersInit;
  body?: string | Uint8Array | URLSearchParams;
  /** Aborting it ends the request (its reason is thrown as is, e.g. a TimeoutError). */
  signal?: AbortSignal | null;
}

export interface ReadOptions {
  /** Accepted media types (without parameters); any when unset. */
  contentTypes?: string[];
  headers?: HeadersInit;
}

export interface OutboundFetch {
  /** A fetch: answers any non-3xx status; throws {@link OutboundError} otherwise. The body is size-limited while it streams. */
  (input: string | URL | Request, init?: OutboundInit): Promise<Response>;
  /** GET `url`, status 200, a body of at most maxBytes, as UTF-8 text. */
  text(url: string | URL, options?: ReadOptions): Promise<string>;
  /** GET `url`, status 200, a JSON body of at most maxBytes (reason `not_json` when it is not JSON). */
  json(url: string | URL, options?: ReadOptions): Promise<unknown>;
  readonly policy: Readonly<OutboundPolicy>;
}

const NULL_BODY_STATUS = new Set([204, 205]);

/** A timer for the whole exchange; aborting `signal` also ends it. */
function deadline(timeoutMs: number, url: URL, signal?: AbortSignal | null) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new OutboundError('timeout', `${describeUrl(url)}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

function requestHeaders(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': 'Gatehouse' };
  new Headers(init).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i], raw[i + 1]);
    } catch {
      // A header Fetch cannot represent is dropped.
    }
  }
  return headers;
}

interface Prepared {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  signal: AbortSignal | null | undefined;
}

async function prepare(input: string | URL | Request, init: OutboundInit): Promise<Prepared> {
  const request = input instanceof Request ? input : undefined;
  let url: URL;
  try {
    url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input);
  } catch (err) {
    throw new OutboundError('scheme', 'not a URL', { cause: err });
  }
  const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
  const headers = requestHeaders(init.headers ?? request?.headers);
  let body: Uint8Array | undefined;
  if (init.body instanceof URLSearchParams) {
    body = new TextEncoder().encode(init.body.toString());
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (typeof init.body === 'string') body = new TextEncoder().encode(init.body);
  else if (init.body) body = init.body;
  else if (request?.body) body = new Uint8Array(await request.arrayBuffer());
  return { url, method, headers, body, signal: init.signal ?? request?.signal };
}

function checkScheme(url: URL, policy: OutboundPolicy): void {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && policy.allowHttp)) return;
  throw new OutboundError('scheme', `${describeUrl(url)}: ${policy.allowHttp ? 'only http and https are' : 'only https is'} allowed`);
}

function send(p: Prepared, vetted: LookupAddress[], policy: OutboundPolicy, maxBytes: number, signal: AbortSignal, done: () => void): Promise<Response> {
  const where = describeUrl(p.url);
  const lib = p.url.protocol === 'https:' ? https : http;
  const ca = policy.ca === undefined ? undefined : [...rootCertificates, ...[policy.ca].flat()];
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let failBody: ((err: Error) => void) | undefined;
    const req = lib.request(p.url, {
      method: p.method,
      headers: p.headers,
      agent: false,
      lookup: pinnedLookup(p.url.hostname, vetted),
      ...(ca ? { ca } : {}),
    });
    const fail = (err: Error) => {
      req.destroy();
      done();
      if (!settled) {
        settled = true;
        reject(err);
      } else failBody?.(err);
    };
    req.on('error', (err) =>
      fail(
        err instanceof OutboundError
          ? err
          : new OutboundError('network', `${where}: ${(err as NodeJS.ErrnoException).code ?? 'request failed'}`, { cause: err }),
      ),
    );
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new OutboundError('timeout', `${where}: aborted`));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        fail(new OutboundError('redirect', `${where}: status ${status}, redirects are not followed`));
        return;
      }
      if (status < 200 || status > 599) {
        fail(new OutboundError('status', `${where}: status ${status}`));
        return;
      }
      const declared = res.headers['content-length'];
      if (declared !== undefined && Number(declared) > maxBytes) {
        fail(new OutboundError('too_large', `${where}: response declares ${Number(declared)} bytes, more than ${maxBytes}`));
        return;
      }
      let size = 0;
      let ended = false;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          failBody = (err) => {
            if (!ended) {
              ended = true;
              controller.error(err);
            }
          };
          res.on('data', (chunk: Buffer) => {
            if (ended) return;
            size += chunk.byteLength;
            if (size > maxBytes) {
              fail(new OutboundError('too_large', `${where}: response larger than ${maxBytes} bytes`));
              return;
            }
            controller.enqueue(new Uint8Array(chunk));
            if ((controller.desiredSize ?? 1) <= 0) res.pause();
          });
          res.on('end', () => {
            if (ended) return;
            ended = true;
            signal.removeEventListener('abort', onAbort);
            done();
            controller.close();
          });
          res.on('error', (err) => fail(new OutboundError('network', `${where}: the response broke off`, { cause: err })));
          res.on('close', () => {
            if (!ended) fail(new OutboundError('network', `${where}: the response broke off`));
          });
        },
        pull() {
          res.resume();
        },
        cancel() {
          ended = true;
          signal.removeEventListener('abort', onAbort);
          req.destroy();
          done();
        },
      });
      if (NULL_BODY_STATUS.has(status)) void body.cancel();
      // statusText is left empty: a server's reason phrase may hold bytes a Response refuses.
      settled = true;
      resolve(new Response(NULL_BODY_STATUS.has(status) ? null : body, { status, headers: responseHeaders(res.rawHeaders) }));
    });
    req.end(p.body);
  });
}

function mediaType(res: Response): string {
  return (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Builds the outbound fetch for one policy. No module state: each call to
 * this function returns an independent client.
 *
 * @example
 * const fetchOut = createOutboundFetch({ timeoutMs: 5000, maxBytes: 262144 });
 * const jwks = await fetchOut.json(client.jwksUri, { contentTypes: ['application/json', 'application/jwk-set+json'] });
 */
export function createOutboundFetch(policy: OutboundPolicy = {}): OutboundFetch {
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
  const fetchOut = async (input: string | URL | Request, init: OutboundInit = {}): Promise<Response> => {
    const p = await prepare(input, init);
    checkScheme(p.url, policy);
    const limit = deadline(timeoutMs, p.url, p.signal);
    try {
      const aborted = new Promise<never>((_, reject) => {
        // The signal's reason is the timeout or abort error the caller rethrows as is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (limit.signal.aborted) reject(limit.signal.reason);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        limit.signal.addEventListener('abort', () => reject(limit.signal.reason), { once: true });
      });
      aborted.catch(() => undefined);
      const vetted = await Promise.race([vetHost(p.url, policy), aborted]);
      return await send(p, vetted, policy, maxBytes, limit.signal, () => {
        limit.clear();
      });
    } catch (err) {
      limit.clear();
      throw err;
    }
  };
  const read = async (url: string | URL, options: ReadOptions = {}): Promise<{ where: string; bytes: Uint8Array }> => {
    const res = await fetchOut(url, { headers: options.headers });
    const where = describeUrl(new URL(url));
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new OutboundError('status', `${where}: status ${res.status}`);
    }
    if (options.contentTypes && !options.contentTypes.includes(mediaType(res))) {
      await res.body?.cancel().catch(() => undefined);
      throw new OutboundError('content_type', `${where}: content type ${JSON.stringify(mediaType(res))} is not accepted`);
    }
    return { where, bytes: await readLimited(res, maxBytes) };
  };
  const text = async (url: string | URL, options?: ReadOptions): Promise<string> => {
    const { where, bytes } = await read(url, options);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new OutboundError('not_json', `${where}: the body is not UTF-8`);
    }
  };
  const json = async (url: string | URL, options?: ReadOptions): Promise<unknown> => {
    const { where, bytes } = await read(url, { ...options, headers: options?.headers ?? { accept: 'application/json' } });
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new OutboundError('not_json', `${where}: the body is not JSON`);
    }
  };
  return Object.assign(fetchOut, { text, json, policy: Object.freeze({ ...policy }) });
}
