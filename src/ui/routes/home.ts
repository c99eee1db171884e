/** The home page: who is signed in, their claims, the applications they granted access, and sign-out. */
import type { Route } from '../../core/router.js';
import { currentSession } from '../../sessions/session-service.js';
import { clientsWithGrants } from '../../sessions/session-admin.js';
import { INITIATE_LOGIN_PATH } from '../../endpoints/initiate-login-endpoint.js';
import { pendingCibaRequests } from '../../ciba/ciba-approval.js';
import { renderPage } from '../index.js';
import { page, queryLocales, sessionCsrf, type PageKit } from './page-kit.js';

/** The home route under `${base}/`, `base` and (under a base path) `/`. */
export function homeRoutes(kit: PageKit): [string, Route][] {
  const { ctx, base, templates } = kit;
  const grantsOf = async (subjectId: string) =>
    (await clientsWithGrants(ctx, subjectId)).map((clientId) => ({ clientId, name: ctx.clients.find(clientId)?.clientName ?? clientId }));

  // OIDC Core §4: clients with a login initiation endpoint, started through Gatehouse's initiate-login endpoint.
  const appsOf = () =>
    ctx.clients
      .all()
      .filter((c) => c.enabled && c.initiateLoginUri)
      .map((c) => ({
        clientId: c.clientId,
        name: c.clientName ?? c.clientId,
        href: `${ctx.issuer}${INITIATE_LOGIN_PATH}?client_id=${encodeURIComponent(c.clientId)}`,
      }));

  const home: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const session = await currentSession(ctx, req);
      const user = session ? await ctx.users.findBySubject(session.subjectId) : undefined;
      const view = user && {
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the name claim is host data of any type; shown as text
        name: String(user.claims.name ?? user.username),
        username: user.username,
        subjectId: user.subjectId,
        claims: Object.entries(user.claims).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
      };
      // The applications list lives on the account page when it is on (ui/routes/account.ts).
      const accountOn = ctx.config.account.enabled;
      const grants = session && !accountOn ? await grantsOf(session.subjectId) : undefined;
      const cibaRequests = session ? await pendingCibaRequests(ctx, session.subjectId) : undefined;
      return page(
        renderPage(
          'home',
          {
            ...kit.common(queryLocales(req)),
            user: view,
            signOutAction: `${base}/logout`,
            csrfToken: sessionCsrf(req),
            grants,
            revokeAction: `${base}/grants/revoke`,
            apps: session ? appsOf() : undefined,
            cibaRequests,
            cibaDecisionAction: `${base}/ciba/decide`,
            accountUrl: accountOn ? `${base}/account` : undefined,
          },
          templates,
        ),
      );
    },
  };
  const out: [string, Route][] = [
    [`${base}/`, home],
    [base || '/', home],
  ];
  if (base) out.push(['/', home]);
  return out;
}
