import type { VNode } from 'preact';
import { t } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';

/** Props of the built-in error page (shown when an error cannot be redirected to the client). */
export interface ErrorPageProps extends PageBaseProps {
  /** OAuth error code, e.g. `invalid_request`. */
  error: string;
  /** The public error_description; never internals or a stack trace. */
  description?: string;
  /** Request id from the log line, so a user can quote it to support. */
  requestId: string;
}

/** Codes that mean "our fault", not "the request's fault" (RFC 6749 §4.1.2.1). */
const SERVER_ERRORS = new Set(['server_error', 'temporarily_unavailable']);

/** The error card body: readable title, the OAuth code and description, the reference. */
export function ErrorPage(props: ErrorPageProps): VNode {
  const m = t(props.locale);
  const serverSide = SERVER_ERRORS.has(props.error);
  const title = serverSide ? m.errorTitle : m.errorRequestTitle;
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={title}>
      <div class="gh-header">
        <h1>{title}</h1>
        <p class="gh-muted">{serverSide ? m.errorServerIntro : m.errorIntro}</p>
      </div>
      <dl class="gh-details">
        <dt>{m.errorCodeLabel}</dt>
        <dd>
          <code class="gh-code">{props.error}</code>
        </dd>
        {props.description && (
          <>
            <dt>{m.errorDescriptionLabel}</dt>
            <dd>{props.description}</dd>
          </>
        )}
      </dl>
      <p class="gh-reference gh-small gh-muted">
        <span class="gh-code">{m.errorReference(props.requestId)}</span>
        <br />
        {m.errorReferenceHint}
      </p>
    </Layout>
  );
}

/**
 * Render the error page as a full HTML document.
 *
 * @example
 * renderErrorPage({ locale: 'en', theme, basePath: '/ui', error: 'invalid_request',
 *   description: 'redirect_uri is not registered', requestId: 'req_8f2c' });
 */
export function renderErrorPage(props: ErrorPageProps): string {
  return renderDocument(<ErrorPage {...props} />);
}
