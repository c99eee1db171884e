/**
 * Wraps a storage backend so every store call records its latency
 * (`gatehouse_store_operation_duration_seconds`) and, when a tracer provider
 * is registered, runs in a client span named after the operation.
 */
import { otel } from './otel-runtime.js';
import type { Backend } from '../stores/types.js';
import type { Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';

type AnyFn = (...args: unknown[]) => unknown;

function wrapObject<T extends object>(target: T, prefix: string, metrics: Metrics | undefined, tracing: Tracing): T {
  const out: Record<string, unknown> = {};
  const names = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const n of Object.getOwnPropertyNames(o)) if (n !== 'constructor' && typeof (target as Record<string, unknown>)[n] === 'function') names.add(n);
  }
  for (const n of names) {
    const fn = (target as Record<string, AnyFn>)[n].bind(target);
    const op = `${prefix}.${n}`;
    out[n] = (...args: unknown[]) => {
      const start = performance.now();
      const done = () => metrics?.storeCall(op, (performance.now() - start) / 1000);
      if (!tracing.enabled()) {
        // Not every store method returns a promise (e.g. synchronous accessors).
        const r = fn(...args) as Promise<unknown> | undefined;
        if (metrics && typeof r?.then === 'function') void r.then(done, done);
        return r;
      }
      const span = tracing.tracer.startSpan(op, { kind: otel.SpanKind.CLIENT, attributes: { 'db.operation.name': op } });
      const r = tracing.within(span, () => fn(...args)) as Promise<unknown>;
      r.then(
        () => {
          done();
          span.end();
        },
        (err: unknown) => {
          done();
          span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
          span.end();
        },
      );
      return r;
    };
  }
  return out as T;
}

/**
 * @example
 * const backend = instrumentBackend(await openBackend(config), metrics, tracing);
 */
export function instrumentBackend(backend: Backend, metrics: Metrics | undefined, tracing: Tracing): Backend {
  return {
    ...backend,
    records: wrapObject(backend.records, 'records', metrics, tracing),
    keys: wrapObject(backend.keys, 'keys', metrics, tracing),
    users: wrapObject(backend.users, 'users', metrics, tracing),
    userMfa: backend.userMfa && wrapObject(backend.userMfa, 'userMfa', metrics, tracing),
    outbox: backend.outbox && wrapObject(backend.outbox, 'outbox', metrics, tracing),
  };
}
