import type { VNode } from 'preact';
import { t } from './i18n.js';
import { Layout, renderDocument, safeUrl, type PageBaseProps } from './layout.js';

/** Props of the built-in "signed out" page. */
export interface LoggedOutPageProps extends PageBaseProps {
  /** Validated post_logout_redirect_uri (with state already appended), shown as a link back. */
  postLogoutRedirectUri?: string;
  clientName?: string;
  /**
   * OpenID Connect Front-Channel Logout 1.0 §3: the OP renders each client's
   * frontchannel_logout_uri in a hidden iframe. The CSP needs a matching
   * `frame-src` for these to load.
   */
  frontChannelLogoutUris?: string[];
}

/** The signed-out card body, with an optional link back to the client. */
export function LoggedOutPage(props: LoggedOutPageProps): VNode {
  const m = t(props.locale);
  const back = safeUrl(props.postLogoutRedirectUri);
  const frames = (props.frontChannelLogoutUris ?? []).map(safeUrl).filter((u): u is string => u !== undefined);
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.loggedOutTitle}>
      <div class="gh-header">
        <h1>{m.loggedOutHeading}</h1>
        {!back && <p class="gh-muted">{m.loggedOutBody}</p>}
      </div>
      {back && (
        <a class="gh-button gh-button-primary" href={back}>
          {m.loggedOutReturn(props.clientName)}
        </a>
      )}
      {frames.map((src) => (
        <iframe key={src} class="gh-hidden-frame" src={src} title="" aria-hidden="true" tabIndex={-1} />
      ))}
    </Layout>
  );
}

/**
 * Render the signed-out page as a full HTML document.
 *
 * @example
 * renderLoggedOutPage({ locale: 'en', theme, basePath: '/ui',
 *   postLogoutRedirectUri: 'https://app.example/bye?state=x', clientName: 'Shop' });
 */
export function renderLoggedOutPage(props: LoggedOutPageProps): string {
  return renderDocument(<LoggedOutPage {...props} />);
}
