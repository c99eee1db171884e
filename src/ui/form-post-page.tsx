import type { VNode } from 'preact';
import { t, type Locale } from './i18n.js';
import { HeadMeta, renderDocument, Stylesheets, type ThemeView } from './layout.js';

/** Props of the OAuth 2.0 Form Post Response Mode page. */
export interface FormPostPageProps {
  /** The client's verified redirect_uri. */
  action: string;
  /** Response parameters (code, state, id_token, error, iss ...). */
  fields: Record<string, string>;
  locale: Locale;
  /** CSP nonce of this response; without one there is no script and the user clicks Continue. */
  nonce?: string;
  /** When given, the built-in stylesheets are linked so the fallback button looks like the other pages. */
  basePath?: string;
  theme?: ThemeView;
}

/** CSP nonces are base64 (CSP3 §2.3.1 nonce-source); anything else is not emitted. */
const NONCE = /^[A-Za-z0-9+/_-]{16,256}={0,2}$/;

/**
 * OAuth 2.0 Form Post Response Mode §2: an HTML form, auto-submitted by a
 * script, that POSTs the response parameters to the redirect_uri. The
 * "Continue" button is always visible so it also works without JavaScript.
 */
export function FormPostPage(props: FormPostPageProps): VNode {
  // The redirect_uri was validated against the client; refuse script-capable schemes all the same.
  if (/^\s*(javascript|data|vbscript):/i.test(props.action)) throw new TypeError('form_post action has a forbidden scheme');
  const m = t(props.locale);
  const nonce = props.nonce && NONCE.test(props.nonce) ? props.nonce : undefined;
  return (
    <html lang={props.locale}>
      <head>
        <HeadMeta title={m.formPostTitle} />
        {props.basePath !== undefined && <Stylesheets basePath={props.basePath} theme={props.theme} />}
      </head>
      <body>
        <div class="gh-page">
          <main class="gh-card">
            <form method="post" action={props.action}>
              {Object.entries(props.fields).map(([name, value]) => (
                <input key={name} type="hidden" name={name} value={value} />
              ))}
              <p>{m.formPostBody}</p>
              <button class="gh-button gh-button-primary" type="submit">
                {m.formPostContinue}
              </button>
            </form>
          </main>
        </div>
        {nonce && <script nonce={nonce}>document.forms[0].submit()</script>}
      </body>
    </html>
  );
}

/**
 * Render the form_post response page.
 *
 * @example
 * renderFormPostPage({ action: 'https://app.example/cb', locale: 'en', nonce,
 *   fields: { code: 'abc', state: 'xyz', iss: 'https://id.example' } });
 */
export function renderFormPostPage(props: FormPostPageProps): string {
  return renderDocument(<FormPostPage {...props} />);
}
