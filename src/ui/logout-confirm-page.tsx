import type { VNode } from 'preact';
import { CsrfField } from './components.js';
import { t } from './i18n.js';
import { Layout, renderDocument, safeUrl, type PageBaseProps } from './layout.js';

/** Props of the sign-out confirmation (RP-Initiated Logout 1.0 §2: the OP asks the user). */
export interface LogoutConfirmPageProps extends PageBaseProps {
  /** Form POST URL (the end session endpoint). */
  action: string;
  csrfToken: string;
  /** The logout request's parameters, carried through as hidden fields. */
  fields: Record<string, string>;
  clientName?: string;
  /** Where "stay signed in" leads (the home page). */
  cancelUrl: string;
}

export function LogoutConfirmPage(props: LogoutConfirmPageProps): VNode {
  const m = t(props.locale);
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.logoutConfirmTitle}>
      <div class="gh-header">
        <h1>{m.logoutConfirmHeading}</h1>
        <p class="gh-muted">{m.logoutConfirmBody(props.clientName)}</p>
      </div>
      <form method="post" action={props.action} class="gh-form">
        <CsrfField token={props.csrfToken} />
        {Object.entries(props.fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="1" />
        <button class="gh-button gh-button-primary" type="submit">
          {m.signOut}
        </button>
      </form>
      <a class="gh-button" href={safeUrl(props.cancelUrl)}>
        {m.logoutConfirmNo}
      </a>
    </Layout>
  );
}

/** Render the sign-out confirmation page. */
export function renderLogoutConfirmPage(props: LogoutConfirmPageProps): string {
  return renderDocument(<LogoutConfirmPage {...props} />);
}
