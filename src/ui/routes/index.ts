/**
 * The built-in pages (login, consent, home, sign-out, error, assets), one
 * module per page. They read an interaction through the interaction API
 * (details, CSRF token), as a host app's pages do, so a host app can replace
 * them. Their POSTs record the user's decision and continue the flow in the
 * same request (ContinueFlow): one redirect fewer than a host page, which
 * ends with the API and the resume endpoint.
 */
import type { ProviderContext } from '../../context.js';
import type { OAuthError } from '../../errors.js';
import type { RouteTable } from '../../core/router.js';
import type { InternalRequest, InternalResponse } from '../../core/types.js';
import type { InteractionApi } from '../../interaction/interaction-api.js';
import type { PageTemplates } from '../index.js';
import { createAccountDeps } from '../../account/account-service.js';
import type { AccountLinkView } from '../index.js';
import { accountRoutes } from './account.js';
import { accountFlowRoutes } from './account-flows.js';
import { createAccountKit } from './account-kit.js';
import { assetRoutes } from './assets.js';
import { consentRoute } from './consent.js';
import { cibaDecisionRoute } from './ciba-decision.js';
import { grantsRevokeRoute } from './grants-revoke.js';
import { homeRoutes } from './home.js';
import { loginRoutes } from './login.js';
import { mfaLoginRoutes } from './mfa-login.js';
import { accountSecurityRoutes } from './account-security.js';
import { logoutPages, logoutRoute, type LogoutPages } from './logout.js';
import { createPageKit, type ContinueFlow } from './page-kit.js';

export type { ContinueFlow } from './page-kit.js';
export type { LogoutPages, SignedOutView } from './logout.js';

export interface UiRoutes extends LogoutPages {
  routes: RouteTable;
  renderError(err: OAuthError, req: InternalRequest): InternalResponse;
}

export function createUiRoutes(ctx: ProviderContext, api: InteractionApi, continueFlow: ContinueFlow, templates?: PageTemplates): UiRoutes {
  const kit = createPageKit(ctx, api, continueFlow, templates);
  const pages = logoutPages(kit);
  const routes: RouteTable = new Map([
    ...assetRoutes(ctx.config.ui, kit.base),
    ...loginRoutes(kit),
    ...mfaLoginRoutes(kit),
    ...accountSecurityRoutes(kit),
    consentRoute(kit),
    ...homeRoutes(kit),
    grantsRevokeRoute(kit),
    cibaDecisionRoute(kit),
    logoutRoute(kit, pages),
    ...accountPages(ctx, kit),
  ]);
  return { routes, renderError: (err, req) => kit.renderError(err, req), ...pages };
}

/**
 * The account pages (docs/account.md). Further account pages announce
 * themselves on the account page here: the multi-factor page
 * (`{ kind: 'security', href: `${base}/account/security` }`) and the linked
 * external accounts (`{ kind: 'linked', ... }`) once they exist.
 */
function accountPages(ctx: ProviderContext, kit: ReturnType<typeof createPageKit>): RouteTable {
  const path = `${ctx.issuer}${kit.base}/account`;
  const deps = createAccountDeps(ctx, { verify: `${path}/verify`, reset: `${path}/reset/confirm`, resetRequest: `${path}/reset` });
  const account = createAccountKit(kit, deps);
  const links: AccountLinkView[] = [];
  return new Map([...(ctx.config.account.enabled ? accountRoutes(account, links) : []), ...accountFlowRoutes(account)]);
}
