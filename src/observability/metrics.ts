/**
 * Prometheus metrics of one provider, in its own prom-client Registry (never
 * the global one: several providers may share a process). Request metrics are
 * recorded through cached label children; the rest comes from the event bus
 * and from collectors that run at scrape time.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../events/event-bus.js';
import type { Clock, KeyManager } from '../model/types.js';
import type { Backend } from '../stores/types.js';
import { CountOf, FastCounter, FastHistogram, type CounterChild, type HistogramChild } from './fast-metrics.js';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

export interface Metrics {
  registry: Registry;
  /** Records one finished request (seconds). `endpoint` is a route path or `unmatched`. */
  request(endpoint: string, status: number, seconds: number): void;
  /** Records one store call (seconds). */
  storeCall(operation: string, seconds: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsDeps {
  config: Config;
  events: EventBus;
  clock: Clock;
  keys: Pick<KeyManager, 'list'>;
  backend: Backend;
  /** Registered grant types: other values are labelled `other` (no label explosion from input). */
  isGrantType(name: string): boolean;
}

/**
 * Creates the metrics of one provider.
 *
 * @example
 * const metrics = createMetrics({ config, events, clock, keys, backend, isGrantType: (g) => grants.has(g) });
 * metrics.request('/connect/token', 200, 0.004);
 * const { body } = await metrics.render();
 */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (deps.config.metrics.processMetrics) collectDefaultMetrics({ register: registry });

  // Hot paths (every request, store call, event) use the fast types; the rest prom-client's own.
  const duration = new FastHistogram(
    'gatehouse_http_request_duration_seconds',
    'HTTP request latency by endpoint and status',
    ['endpoint', 'status'],
    HTTP_BUCKETS,
    registry,
  );
  new CountOf('gatehouse_http_requests_total', 'HTTP requests by endpoint and status', duration, registry);
  const store = new FastHistogram('gatehouse_store_operation_duration_seconds', 'Store call latency by operation', ['operation'], STORE_BUCKETS, registry);
  const tokens = new FastCounter('gatehouse_tokens_issued_total', 'Token responses by grant type and client', ['grant_type', 'client_id'], registry);
  const tokenFailures = new Counter({
    name: 'gatehouse_token_failures_total',
    help: 'Failed token requests by grant type and error',
    labelNames: ['grant_type', 'error'],
    registers,
  });
  const logins = new Counter({ name: 'gatehouse_logins_total', help: 'Login attempts by result and reason', labelNames: ['result', 'reason'], registers });
  const clientAuthFailures = new Counter({
    name: 'gatehouse_client_authentication_failures_total',
    help: 'Failed client authentications by endpoint',
    labelNames: ['endpoint'],
    registers,
  });
  const limited = new Counter({ name: 'gatehouse_rate_limited_total', help: 'Requests refused by a rate limit', labelNames: ['endpoint', 'scope'], registers });
  const upstreamFailures = new Counter({
    name: 'gatehouse_federation_upstream_failures_total',
    help: 'Failed sign-ins at external providers by provider and reason (unreachable, upstream_error, invalid_response, invalid_id_token)',
    labelNames: ['provider', 'reason'],
    registers,
  });
  const events = new FastCounter('gatehouse_events_total', 'Events emitted by type', ['type'], registry);
  const { backend, clock, keys } = deps;
  // Only where the store can count (memory, SQLite): a gauge stuck at 0 would mislead.
  if (backend.records.countActive)
    new Gauge({
      name: 'gatehouse_active_sessions',
      help: 'SSO sessions not yet expired (all nodes: counted in the store at scrape time)',
      registers,
      // Every worker counts the same store: one value, not the sum (cluster-metrics.ts).
      aggregator: 'first',
      async collect() {
        this.set((await backend.records.countActive?.('session', clock.now())) ?? 0);
      },
    });
  const outbox = backend.outbox;
  if (outbox)
    new Gauge({
      name: 'gatehouse_back_channel_logout_pending',
      help: 'Back-channel logout deliveries waiting in the outbox (all nodes: counted in the store at scrape time)',
      registers,
      aggregator: 'first',
      async collect() {
        this.set(await outbox.size());
      },
    });
  new Gauge({
    name: 'gatehouse_signing_key_age_seconds',
    help: 'Age of each published signing key',
    labelNames: ['kid', 'alg', 'status'],
    registers,
    aggregator: 'first',
    async collect() {
      this.reset();
      const now = clock.now();
      for (const k of await keys.list()) if (k.status !== 'expired') this.labels(k.kid, k.alg, k.status).set(now - k.createdAt);
    },
  });

  const grantLabel = (g: unknown) => (typeof g === 'string' && deps.isGrantType(g) ? g : 'other');
  const byType = new Map<string, CounterChild>();
  deps.events.subscribe((e) => {
    let typeChild = byType.get(e.type);
    if (!typeChild) byType.set(e.type, (typeChild = events.child(e.type.slice(0, 64))));
    typeChild.inc();
    switch (e.type) {
      case 'token_issued':
        tokens.child(grantLabel((e as { grantType?: string }).grantType), e.clientId ?? '').inc();
        break;
      case 'token_failed':
        tokenFailures.labels(grantLabel((e as { grantType?: string }).grantType), String((e as { error?: string }).error)).inc();
        break;
      case 'user_login_success':
        logins.labels('success', '').inc();
        break;
      case 'user_login_failure':
        logins.labels('failure', String((e as { reason?: string }).reason)).inc();
        break;
      case 'client_authentication_failure':
        clientAuthFailures.labels(String((e as { endpoint?: string }).endpoint)).inc();
        break;
      case 'federation_upstream_failure': {
        const d = (e.detail ?? {}) as { provider?: string; reason?: string };
        upstreamFailures.labels(String(d.provider).slice(0, 40), String(d.reason)).inc();
        break;
      }
      case 'rate_limited':
        limited.labels(String((e as { endpoint?: string }).endpoint), String((e as { scope?: string }).scope)).inc();
        break;
    }
  });

  // Children cached per endpoint and status: two map lookups per request, no label hashing.
  const children = new Map<string, Map<number, HistogramChild>>();
  const storeChildren = new Map<string, HistogramChild>();
  return {
    registry,
    request(endpoint, status, seconds) {
      let byStatus = children.get(endpoint);
      if (!byStatus) children.set(endpoint, (byStatus = new Map<number, HistogramChild>()));
      let c = byStatus.get(status);
      if (!c) byStatus.set(status, (c = duration.child(endpoint, String(status))));
      c.observe(seconds);
    },
    storeCall(operation, seconds) {
      let c = storeChildren.get(operation);
      if (!c) storeChildren.set(operation, (c = store.child(operation)));
      c.observe(seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
