/**
 * The signed-in account page `{base}/account` (docs/account.md): profile,
 * change password, active sessions, connected applications (the list the
 * home page had), links to the multi-factor and linked-account pages, and
 * account deletion. Every form carries the session's CSRF token.
 */
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import { changePassword, deleteAccount, endSessionOfUser } from '../../account/account-actions.js';
import { managedHere } from '../../account/account-service.js';
import { querySessions, clientsWithGrants, revokeClientGrant } from '../../sessions/session-admin.js';
import { currentSession, sessionCookieDeletion, type Session } from '../../sessions/session-service.js';
import { renderPage, type AccountLinkView, type AccountNotice, type AccountPageProps } from '../index.js';
import { page, queryLocales, safeEqual, see, sessionCsrf } from './page-kit.js';
import { field, type AccountKit } from './account-kit.js';

const NOTICES: readonly AccountNotice[] = ['password_changed', 'session_ended', 'app_revoked'];

type PageState = Pick<AccountPageProps, 'notice' | 'formError' | 'passwordError' | 'deleteError' | 'retryAfter'>;

export function accountRoutes(a: AccountKit, links: AccountLinkView[]): [string, Route][] {
  const { deps, path, kit } = a;
  const { ctx, features } = deps;
  const home = `${kit.base}/`;
  const appName = (clientId: string) => ctx.clients.find(clientId)?.clientName ?? clientId;

  async function render(req: InternalRequest, session: Session, state: PageState = {}, status = 200): Promise<InternalResponse> {
    const user = await ctx.users.findBySubject(session.subjectId);
    if (!user) return see(home, [sessionCookieDeletion()]);
    const common = kit.common(queryLocales(req));
    const when = new Intl.DateTimeFormat(common.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    const sessions = (await querySessions(ctx, { subjectId: session.subjectId })).map((s) => ({
      sid: s.sid,
      current: s.sid === session.payload.sid,
      signedIn: `${when.format(s.authTime * 1000)} UTC`,
      apps: s.clients.map((c) => appName(c.clientId)),
    }));
    const apps = (await clientsWithGrants(ctx, session.subjectId)).map((clientId) => ({ clientId, name: appName(clientId) }));
    const own = managedHere(deps, user.subjectId);
    const email = typeof user.claims.email === 'string' ? user.claims.email : undefined;
    const props: AccountPageProps = {
      ...common,
      ...state,
      csrfToken: sessionCsrf(req),
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the name claim is host data of any type; shown as text
      user: { name: String(user.claims.name ?? user.username), username: user.username, email, subjectId: user.subjectId },
      limits: a.limits(),
      changePasswordAction: features.changePassword && own ? a.withLocales(`${path}/password`, req) : undefined,
      sessions,
      endSessionAction: a.withLocales(`${path}/sessions/end`, req),
      apps,
      revokeAction: a.withLocales(`${path}/apps/revoke`, req),
      links,
      deleteAction: features.deletion && own ? a.withLocales(`${path}/delete`, req) : undefined,
      recentSignIn: ctx.clock.now() - session.payload.authTime <= ctx.config.account.reauthenticationMaxAge,
      signOutAction: `${kit.base}/logout`,
    };
    return page(renderPage('account', props, kit.templates), status);
  }

  const done = (req: InternalRequest, notice: AccountNotice) => see(a.withLocales(`${path}?done=${notice}`, req));

  /** A POST of the account page: the live session and a matching CSRF token, or the answer to give instead. */
  async function signedInPost(req: InternalRequest, act: (session: Session) => Promise<InternalResponse>): Promise<InternalResponse> {
    const session = await currentSession(ctx, req);
    if (!session) return see(home);
    const token = single(req.body, 'csrf', 128);
    if (!token || !safeEqual(token, sessionCsrf(req))) return render(req, session, { formError: 'csrf' }, 403);
    return act(session);
  }

  const overview: Route = {
    methods: ['GET'],
    channel: 'html',
    async handle(req) {
      const session = await currentSession(ctx, req);
      if (!session) return see(home);
      const notice = single(req.query, 'done', 32) as AccountNotice | undefined;
      return render(req, session, { notice: notice && NOTICES.includes(notice) ? notice : undefined });
    },
  };

  const password: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    handle: (req) =>
      signedInPost(req, async (session) => {
        const outcome = await changePassword(deps, session, {
          current: field(req, 'current_password'),
          password: field(req, 'password'),
          confirmation: field(req, 'password_confirm'),
          endOthers: single(req.body, 'end_other_sessions', 8) === '1',
          ip: req.ip,
        });
        if (outcome === 'changed') return done(req, 'password_changed');
        const retryAfter =
          outcome === 'locked_out' ? await ctx.users.lockedFor((await ctx.users.findBySubject(session.subjectId))?.username ?? '', req.ip) : undefined;
        return render(req, session, { passwordError: outcome, retryAfter }, outcome === 'locked_out' ? 429 : 400);
      }),
  };

  const endSession: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    handle: (req) =>
      signedInPost(req, async (session) => {
        const sid = single(req.body, 'sid', 64) ?? '';
        await endSessionOfUser(deps, session, sid);
        // Ending this browser's own session signs it out.
        if (sid === session.payload.sid) return see(home, [sessionCookieDeletion()]);
        return done(req, 'session_ended');
      }),
  };

  const revoke: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    handle: (req) =>
      signedInPost(req, async (session) => {
        const clientId = single(req.body, 'client_id', 200);
        if (clientId) await revokeClientGrant(ctx, session.subjectId, clientId);
        return done(req, 'app_revoked');
      }),
  };

  const remove: Route = {
    methods: ['POST'],
    form: true,
    channel: 'html',
    handle: (req) =>
      signedInPost(req, async (session) => {
        const outcome = await deleteAccount(deps, session, { password: single(req.body, 'password', 4096), ip: req.ip });
        if (outcome === 'deleted') return a.flow(req, { step: 'deleted' }, 200, [sessionCookieDeletion()]);
        return render(req, session, { deleteError: outcome }, outcome === 'locked_out' ? 429 : outcome === 'unsupported' ? 400 : 403);
      }),
  };

  const out: [string, Route][] = [
    [path, overview],
    [`${path}/password`, password],
    [`${path}/sessions/end`, endSession],
    [`${path}/apps/revoke`, revoke],
  ];
  if (features.deletion) out.push([`${path}/delete`, remove]);
  return out;
}
