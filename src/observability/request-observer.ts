/**
 * Per-request observation for the HTTP adapters: the access log line, the
 * request metrics and the request span. Created only when at least one of
 * them is on, so with all three off the adapters do no extra work. One small
 * record per request, no closures.
 */
import type { Logger } from 'pino';
import type { Span } from '@opentelemetry/api';
import type { Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';

/** What is known about a request in flight. */
export interface RequestRecord {
  observer: RequestObserver;
  start: number;
  method: string;
  path: string;
  /** Route path, or `unmatched` (a bounded label set). */
  endpoint: string;
  requestId: string | undefined;
  clientId: string | undefined;
  /** The client's address (server.trustProxy), when known. */
  ip: string | undefined;
  span: Span | undefined;
  done: boolean;
}

export class RequestObserver {
  /** True when requests are logged (they then need a request id). */
  readonly logs: boolean;
  constructor(
    private readonly logger: Logger | undefined,
    private readonly metrics: Metrics | undefined,
    readonly tracing: Tracing | undefined,
  ) {
    this.logs = logger !== undefined;
  }

  begin(method: string, path: string, routed: boolean, requestId: string | undefined): RequestRecord {
    const endpoint = routed ? path : 'unmatched';
    return {
      observer: this,
      start: performance.now(),
      method,
      path,
      endpoint,
      requestId,
      clientId: undefined,
      ip: undefined,
      span: this.tracing?.startRequest(method, endpoint),
      done: false,
    };
  }

  /** Records the end of a request once (the first call wins). */
  end(rec: RequestRecord, status: number): void {
    if (rec.done) return;
    rec.done = true;
    const ms = performance.now() - rec.start;
    this.metrics?.request(rec.endpoint, status, ms / 1000);
    if (this.logger) {
      // No query string and no body: they may carry codes, tokens or passwords.
      const line: Record<string, unknown> = {
        requestId: rec.requestId,
        method: rec.method,
        path: rec.path.slice(0, 256),
        endpoint: rec.endpoint,
        clientId: rec.clientId,
        ip: rec.ip,
        status,
        ms: Math.round(ms * 100) / 100,
      };
      if (rec.span) {
        const c = rec.span.spanContext();
        line.trace_id = c.traceId;
        line.span_id = c.spanId;
      }
      this.logger.info(line, 'request');
    }
    if (rec.span) this.tracing?.endRequest(rec.span, status);
  }
}

/** The observer of a provider, or undefined when access log, metrics and tracing are all off. */
export function createRequestObserver(opts: {
  accessLog: Logger | undefined;
  metrics: Metrics | undefined;
  tracing: Tracing | undefined;
}): RequestObserver | undefined {
  if (!opts.accessLog && !opts.metrics && !opts.tracing) return undefined;
  return new RequestObserver(opts.accessLog, opts.metrics, opts.tracing);
}
