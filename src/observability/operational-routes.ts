/**
 * The metrics and health routes, on the main listener or on a separate
 * management listener (`metrics.port`).
 */
import type { ProviderContext } from '../context.js';
import type { RouteTable } from '../http/router.js';
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

/** Routes for the main listener and, when `metrics.port` is set, for the management listener. */
export function operationalRoutes(ctx: ProviderContext, metrics: Metrics | undefined, health: HealthState): { main: RouteTable; management: RouteTable | undefined } {
  const all: RouteTable = new Map([...healthRoutes(ctx, health), ...metricsRoutes(ctx, metrics)]);
  if (ctx.config.metrics.port === undefined) return { main: all, management: undefined };
  // With a management port, metrics leave the main listener; health answers on both.
  return { main: healthRoutes(ctx, health), management: all };
}
