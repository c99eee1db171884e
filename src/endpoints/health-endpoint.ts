/** `GET /health`: the process answers (liveness and readiness are observability/health.ts). */
import type { Route } from '../core/router.js';
import { jsonResponse } from '../core/types.js';

export function healthRoute(): Route {
  return {
    methods: ['GET'],
    handle: async () => jsonResponse({ status: 'ok' }, 200, { 'cache-control': 'no-store' }),
  };
}
