/**
 * Health endpoints for load balancers and Kubernetes. Liveness (`/healthz`)
 * answers while the process runs and touches nothing. Readiness (`/readyz`)
 * pings the store with a timeout, so a slow store fails readiness quickly and
 * never holds liveness, checks that signing keys are loaded, and fails while
 * the server drains for shutdown. Bodies name the failing check, never a
 * message that could carry a connection string.
 */
import type { ProviderContext } from '../context.js';
import type { Route, RouteTable } from '../core/router.js';
import { jsonResponse, type InternalResponse } from '../core/types.js';

type Check = 'ok' | 'unreachable' | 'timeout' | 'missing' | 'draining';

function withTimeout(p: Promise<void>, ms: number): Promise<'ok' | 'unreachable' | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve('ok');
      },
      () => {
        clearTimeout(timer);
        resolve('unreachable');
      },
    );
  });
}

export interface HealthState {
  /** Set when shutdown starts: readiness fails so load balancers stop sending traffic. */
  draining: boolean;
}

export async function readiness(ctx: ProviderContext, state: HealthState): Promise<{ ready: boolean; checks: Record<string, Check> }> {
  // A backend written before ping() existed (plain JavaScript) counts as reachable.
  const ping = typeof ctx.backend.ping === 'function' ? () => ctx.backend.ping() : async () => {};
  const store = await withTimeout(Promise.resolve().then(ping), ctx.config.health.timeout);
  let keys: Check = 'ok';
  try {
    ctx.keys.signingKey();
  } catch {
    keys = 'missing';
  }
  const checks: Record<string, Check> = { store, keys };
  if (state.draining) checks.server = 'draining';
  const ready = store === 'ok' && keys === 'ok' && !state.draining;
  if (!ready) ctx.logger.warn({ checks }, 'not ready');
  return { ready, checks };
}

const NO_STORE = { 'cache-control': 'no-store' };

/** The liveness and readiness routes of `config.health`. */
export function healthRoutes(ctx: ProviderContext, state: HealthState): RouteTable {
  const routes: RouteTable = new Map();
  const h = ctx.config.health;
  if (!h.enabled) return routes;
  const alive: InternalResponse = jsonResponse({ status: 'ok' }, 200, NO_STORE);
  routes.set(h.livenessPath, { methods: ['GET'], staticResponse: () => alive });
  const ready: Route = {
    methods: ['GET'],
    async handle() {
      const r = await readiness(ctx, state);
      return jsonResponse({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks }, r.ready ? 200 : 503, NO_STORE);
    },
  };
  routes.set(h.readinessPath, ready);
  return routes;
}
