/** The signed-in user approves or denies a pending CIBA request from the home page (CIBA Core 1.0 §8, §9). */
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { decideCibaRequest } from '../../ciba/ciba-approval.js';
import { currentSession } from '../../sessions/session-service.js';
import { safeEqual, see, sessionCsrf, type PageKit } from './page-kit.js';

export function cibaDecisionRoute(kit: PageKit): [string, Route] {
  const { ctx, base } = kit;
  const route: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = single(req.body, 'csrf', 128);
      const session = await currentSession(ctx, req);
      const id = single(req.body, 'id', 128);
      const decision = single(req.body, 'decision', 16);
      // A stale, foreign or forged form changes nothing; the home page shows what is still pending.
      if (session && id && token && safeEqual(token, sessionCsrf(req)) && (decision === 'approve' || decision === 'deny')) {
        await decideCibaRequest(ctx, session, id, decision === 'approve');
      }
      return see(`${base}/`);
    },
  };
  return [`${base}/ciba/decide`, route];
}
