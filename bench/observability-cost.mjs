/**
 * Per-request cost of the operational hooks, measured in-process on the
 * compiled code (`npm run build` first): the request observer (metrics on,
 * no tracer provider), the tracer-provider check, and an event emitted on the
 * token path (metrics subscriber + log sink below its level).
 *
 *   node bench/observability-cost.mjs
 */
import pino from 'pino';
import { configSchema } from '../dist/config/schema.js';
import { createEventBus } from '../dist/events/event-bus.js';
import { createMetrics } from '../dist/observability/metrics.js';
import { RequestObserver } from '../dist/observability/request-observer.js';
import { createTracing } from '../dist/observability/tracing.js';
import { createMemoryBackend } from '../dist/stores/memory.js';
import { instrumentBackend } from '../dist/observability/instrument-backend.js';

const N = Number(process.env.N ?? 2_000_000);
const config = configSchema.parse({});
const logger = pino({ level: 'info' }, { write() {} });
const clock = { now: () => Math.floor(Date.now() / 1000) };
const events = createEventBus({ logger, clock, successLevel: 'debug', failureLevel: 'warn' });
const metrics = createMetrics({ config, events, clock, keys: { list: async () => [] }, backend: createMemoryBackend(), isGrantType: () => true });
const tracing = createTracing();

function time(name, fn) {
  for (let i = 0; i < N / 10; i++) fn(i); // warm-up
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - t) / N;
  console.log(`${name.padEnd(58)} ${ns.toFixed(1).padStart(7)} ns/op`);
}

const observer = new RequestObserver(undefined, metrics, tracing);
const statuses = [200, 200, 200, 400];
time('observer begin+end (metrics, no tracer provider)', (i) => observer.end(observer.begin('POST', '/connect/token', true, 'r'), statuses[i & 3]));
time('tracing.enabled() (no provider registered)', () => tracing.enabled());
time("ctx.events({ type: 'token_issued', ... }) (metrics + log sink off)", () =>
  events.emit({ type: 'token_issued', clientId: 'm2m', grantType: 'client_credentials' }),
);
const accessLog = new RequestObserver(logger, metrics, tracing);
time('observer with access log (pino to a null stream)', (i) => accessLog.end(accessLog.begin('POST', '/connect/token', true, 'r'), statuses[i & 3]));
time('for comparison: tracer.startSpan + end (no provider: a non-recording span)', () => tracing.tracer.startSpan('x').end());

// Store calls: the instrumented wrapper (latency histogram + tracer check) against the raw backend.
const raw = createMemoryBackend();
const wrapped = instrumentBackend(raw, metrics, tracing);
const M = N / 4;
async function timeAsync(name, fn) {
  for (let i = 0; i < M / 10; i++) await fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < M; i++) await fn();
  console.log(`${name.padEnd(58)} ${(Number(process.hrtime.bigint() - t) / M).toFixed(1).padStart(7)} ns/op`);
}
await timeAsync('records.find, raw memory backend', () => raw.records.find('session', 'x'));
await timeAsync('records.find, instrumented (metrics, no tracer provider)', () => wrapped.records.find('session', 'x'));
const { createSqliteBackend } = await import('../dist/stores/sqlite.js');
const sqlite = await createSqliteBackend({ path: ':memory:' });
const sqliteWrapped = instrumentBackend(sqlite, metrics, tracing);
await timeAsync('records.find, raw SQLite backend (:memory:)', () => sqlite.records.find('session', 'x'));
await timeAsync('records.find, instrumented SQLite backend', () => sqliteWrapped.records.find('session', 'x'));
await sqlite.close();
