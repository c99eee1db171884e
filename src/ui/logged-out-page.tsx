import type { VNode } from 'preact';
import { t } from './i18n.js';
import { assetUrl, Layout, renderDocument, safeUrl, type PageBaseProps } from './layout.js';

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
  /** CSP nonce of the script that continues to postLogoutRedirectUri once the frames have loaded. */
  scriptNonce?: string;
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
        <a class="gh-button gh-button-primary" href={back} data-continue={frames.length > 0 ? '' : undefined}>
          {m.loggedOutReturn(props.clientName)}
        </a>
      )}
      {frames.map((src) => (
        <iframe key={src} class="gh-hidden-frame" src={src} title="" aria-hidden="true" tabIndex={-1} />
      ))}
      {/* With front-channel frames, a script continues to the client once they have loaded (the link works without it). */}
      {back && frames.length > 0 && props.scriptNonce && <script src={assetUrl(props.basePath, 'signed-out.js')} nonce={props.scriptNonce} defer />}
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
