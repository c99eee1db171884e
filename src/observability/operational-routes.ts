/**
 * The metrics and health routes, on the main listener or on a separate
 * management listener (`metrics.port`).
 */
import type { Config } from '../config/schema.js';
import type { ProviderContext } from '../context.js';
import type { RouteTable } from '../core/router.js';
import { healthRoutes, type HealthState } from './health.js';
import type { Metrics } from './metrics.js';

/** The metrics route (Prometheus text, no-store); the registry holds no secrets, only counts and labels. */
export function metricsRoutes(ctx: ProviderContext, metrics: Metrics | undefined): RouteTable {
  const routes: RouteTable = new Map();
  if (!metrics) return routes;
  routes.set(ctx.config.metrics.path, {
    methods: ['GET'],
    async handle() {
      const { contentType, body } = await metrics.render();
      return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
    },
  });
  return routes;
}

/** Port of the management listener when `metrics.port` is not set and metrics are not public. */
export const DEFAULT_MANAGEMENT_PORT = 9464;

/**
 * The management listener's port: `metrics.port`, else {@link DEFAULT_MANAGEMENT_PORT}
 * unless metrics are public; undefined when there is none (metrics off, or public without a port).
 */
export function managementPortOf(config: Config): { port: number; explicit: boolean } | undefined {
  const m = config.metrics;
  if (!m.enabled) return undefined;
  if (m.port !== undefined) return { port: m.port, explicit: true };
  return m.public ? undefined : { port: DEFAULT_MANAGEMENT_PORT, explicit: false };
}

/**
 * Routes for the main listener and for the management listener. Metrics are
 * on the main listener only when `metrics.public` is true; the management
 * listener (metrics and health) exists whenever metrics are enabled and not
 * public, or a `metrics.port` is set. Health answers on both.
 */
export function operationalRoutes(
  ctx: ProviderContext,
  metrics: Metrics | undefined,
  health: HealthState,
): { main: RouteTable; management: RouteTable | undefined } {
  const all: RouteTable = new Map([...healthRoutes(ctx, health), ...metricsRoutes(ctx, metrics)]);
  const main = ctx.config.metrics.public ? all : healthRoutes(ctx, health);
  return { main, management: managementPortOf(ctx.config) ? all : undefined };
}
