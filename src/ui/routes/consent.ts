/** The built-in consent page: GET shows the requested scopes, POST records the decision and continues the flow. */
import { single } from '../../core/params.js';
import type { Route } from '../../core/router.js';
import { renderPage } from '../index.js';
import { page, type PageKit } from './page-kit.js';

export function consentRoute(kit: PageKit): [string, Route] {
  const { ctx, base, templates, continueFlow } = kit;
  const route: Route = {
    methods: ['GET', 'POST'],
    form: true,
    channel: 'html',
    async handle(req) {
      const loaded = await kit.load(req);
      const d = loaded?.details;
      if (!loaded || !d?.subjectId) return kit.expired(req);
      if (req.method === 'POST') {
        if (!kit.formCsrfMatches(req, d)) return kit.expired(req);
        const decision = single(req.body, 'decision', 16);
        if (decision !== 'allow') return continueFlow(req, { denied: true }, loaded);
        const scopes = (req.body.get('scope') ?? []).slice(0, 100);
        return continueFlow(req, { consent: { scopes, remember: single(req.body, 'remember', 8) === '1' } }, loaded);
      }
      const user = await ctx.users.findBySubject(d.subjectId);
      const view = (s: (typeof d.identityScopes)[number]) => ({ ...s, checked: true });
      const allowRemember = ctx.clients.find(d.client.clientId)?.allowRememberConsent ?? false;
      const html = renderPage(
        'consent',
        {
          ...kit.common(d.uiLocales, d.display),
          action: `${base}/consent?id=${d.id}`,
          csrfToken: d.csrfToken,
          client: kit.client(d),
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the name claim is host data of any type; shown as text
          user: { name: String(user?.claims.name ?? user?.username ?? d.subjectId) },
          identityScopes: d.identityScopes.map(view),
          apiScopes: d.apiScopes.map(view),
          allowRemember,
        },
        templates,
      );
      return page(html, 200, [d.redirectOrigin]);
    },
  };
  return [`${base}/consent`, route];
}
