/**
 * OpenTelemetry through `@opentelemetry/api` only: spans exist when the host
 * application registered an SDK (a global tracer provider); otherwise nothing
 * is created at all, not even a no-op span.
 */
import type { Span, Tracer } from '@opentelemetry/api';
import { otel } from './otel-runtime.js';

const { ProxyTracerProvider, SpanKind, SpanStatusCode, context, trace } = otel;

/** The provider the API answers with when no SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

export interface Tracing {
  /** True when a tracer provider is registered (checked per call: an SDK may register later). */
  enabled(): boolean;
  tracer: Tracer;
  /** Starts a server span for a request, or undefined when tracing is off. */
  startRequest(method: string, endpoint: string): Span | undefined;
  /** Runs fn with span as the active span (store spans become its children). */
  within<T>(span: Span, fn: () => T): T;
  /** Ends a request span with its status code. */
  endRequest(span: Span, status: number): void;
}

export function createTracing(name = 'gatehouse'): Tracing {
  // The tracer is looked up per span, not once: a tracer taken before the host registers its SDK
  // stays a no-op when the host registers through the ES build of the API (otel-runtime.ts).
  const tracer = () => trace.getTracer(name);
  const enabled = () => {
    const p = trace.getTracerProvider();
    return !(p instanceof ProxyTracerProvider) || p.getDelegate() !== NOOP_PROVIDER;
  };
  return {
    enabled,
    get tracer() {
      return tracer();
    },
    startRequest(method, endpoint) {
      if (!enabled()) return undefined;
      return tracer().startSpan(`${method} ${endpoint}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'http.route': endpoint },
      });
    },
    within: (span, fn) => context.with(trace.setSpan(context.active(), span), fn),
    endRequest(span, status) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** trace_id/span_id of the active span, for log lines (pino mixin). */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const c = span.spanContext();
  return { trace_id: c.traceId, span_id: c.spanId };
}
