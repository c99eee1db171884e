import type { VNode } from 'preact';
import { ClientLogo, ClientName, CsrfField, type ClientView } from './components.js';
import { t } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';

/** One scope as shown on the consent page. */
export interface ScopeView {
  /** Scope token, submitted as the value of `scope`. */
  name: string;
  displayName: string;
  description?: string;
  /** Cannot be unticked: shown checked+disabled and submitted through a hidden input. */
  required: boolean;
  /** Shown in bold to draw attention (e.g. offline_access). */
  emphasize: boolean;
  /** Initial state of an optional scope's checkbox. */
  checked: boolean;
}

/** Props of the built-in consent page. */
export interface ConsentPageProps extends PageBaseProps {
  /** Form POST URL of the decision. */
  action: string;
  csrfToken: string;
  client: ClientView;
  user: { name: string };
  identityScopes: ScopeView[];
  apiScopes: ScopeView[];
  /** Offer "Remember my decision" (client `allowRememberConsent`). */
  allowRemember: boolean;
}

/**
 * A scope row. A disabled checkbox is never submitted (HTML §4.10.21.4), so a
 * required scope also carries a hidden `scope` input.
 */
function ScopeItem(props: { scope: ScopeView; id: string; requiredLabel: string }): VNode {
  const { scope, id } = props;
  const name = scope.displayName || scope.name;
  // IdentityServer's standard `openid` resource repeats its display name as description: show it once.
  const description = scope.description && scope.description !== name ? scope.description : undefined;
  const descId = description ? `${id}-desc` : undefined;
  return (
    <li class={scope.emphasize ? 'gh-scope gh-scope-emphasize' : 'gh-scope'}>
      <label class="gh-check" for={id}>
        {scope.required ? (
          <input id={id} type="checkbox" checked disabled aria-describedby={descId} />
        ) : (
          <input id={id} type="checkbox" name="scope" value={scope.name} checked={scope.checked} aria-describedby={descId} />
        )}
        <span>
          <span class="gh-scope-name">{name}</span>
          {scope.required && <span class="gh-badge">{props.requiredLabel}</span>}
          {description && (
            <span class="gh-scope-description" id={descId}>
              {description}
            </span>
          )}
        </span>
      </label>
      {scope.required && <input type="hidden" name="scope" value={scope.name} />}
    </li>
  );
}

function ScopeGroup(props: { title: string; idPrefix: string; scopes: ScopeView[]; requiredLabel: string }): VNode | null {
  if (props.scopes.length === 0) return null;
  const headingId = `${props.idPrefix}-heading`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{props.title}</h2>
      <ul class="gh-scopes">
        {props.scopes.map((scope, i) => (
          <ScopeItem key={scope.name} scope={scope} id={`${props.idPrefix}-${i}`} requiredLabel={props.requiredLabel} />
        ))}
      </ul>
    </section>
  );
}

/** The consent card body: who asks, for what, and the allow/deny decision. */
export function ConsentPage(props: ConsentPageProps): VNode {
  const m = t(props.locale);
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} display={props.display} title={m.consentTitle}>
      <div class="gh-header">
        <ClientLogo client={props.client} locale={props.locale} />
        <h1>
          {m.consentHeading.before}
          <ClientName client={props.client} />
          {m.consentHeading.after}
        </h1>
        <p class="gh-muted gh-small">{m.consentSignedInAs(props.user.name)}</p>
      </div>
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <ScopeGroup title={m.consentIdentityScopes} idPrefix="scope-identity" scopes={props.identityScopes} requiredLabel={m.consentRequired} />
        <ScopeGroup title={m.consentApiScopes} idPrefix="scope-api" scopes={props.apiScopes} requiredLabel={m.consentRequired} />
        {props.allowRemember && (
          <label class="gh-check gh-remember" for="remember">
            <input id="remember" name="remember" type="checkbox" value="1" checked />
            <span>{m.consentRemember}</span>
          </label>
        )}
        <div class="gh-actions">
          <button class="gh-button gh-button-primary" type="submit" name="decision" value="allow">
            {m.consentAllow}
          </button>
          <button class="gh-button gh-button-secondary" type="submit" name="decision" value="deny">
            {m.consentDeny}
          </button>
        </div>
      </form>
    </Layout>
  );
}

/**
 * Render the consent page as a full HTML document.
 *
 * @example
 * renderConsentPage({ locale: 'en', theme, basePath: '/ui', action: '/ui/consent/abc', csrfToken,
 *   client: { name: 'Shop' }, user: { name: 'Alice' }, allowRemember: true,
 *   identityScopes: [{ name: 'openid', displayName: 'Your user identifier', required: true, emphasize: false, checked: true }],
 *   apiScopes: [] });
 */
export function renderConsentPage(props: ConsentPageProps): string {
  return renderDocument(<ConsentPage {...props} />);
}
