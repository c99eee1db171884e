/** The user revokes an application's access: its consent and tokens (IdentityServer's grants page). */
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { currentSession } from '../../sessions/session-service.js';
import { revokeClientGrant } from '../../sessions/session-admin.js';
import { safeEqual, see, sessionCsrf, type PageKit } from './page-kit.js';

export function grantsRevokeRoute(kit: PageKit): [string, Route] {
  const { ctx, base } = kit;
  const route: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const token = single(req.body, 'csrf', 128);
      const session = await currentSession(ctx, req);
      const clientId = single(req.body, 'client_id', 200);
      if (session && clientId && token && safeEqual(token, sessionCsrf(req))) await revokeClientGrant(ctx, session.subjectId, clientId);
      return see(`${base}/`);
    },
  };
  return [`${base}/grants/revoke`, route];
}
