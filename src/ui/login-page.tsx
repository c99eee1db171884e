import type { VNode } from 'preact';
import { Alert, ClientLogo, ClientName, CsrfField, type ClientView } from './components.js';
import { t, type Messages } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';
import { PasskeyForm, PasskeyScripts, type PasskeyButtonView } from './mfa-pages.js';

/** Why the previous login attempt failed. One generic message for bad credentials (no user enumeration). */
export type LoginError = 'invalid_credentials' | 'locked_out' | 'inactive' | 'csrf' | 'expired';

/** Props of the built-in login page. */
export interface LoginPageProps extends PageBaseProps {
  /** Form POST URL for the credentials. */
  action: string;
  csrfToken: string;
  /** Prefilled username (`login_hint`, or the previous attempt's). */
  username?: string;
  error?: LoginError;
  /** Seconds until a locked-out account may try again. */
  retryAfter?: number;
  client: ClientView;
  /** Form POST URL that denies the request (the user cancels); no cancel button without it. */
  cancelAction?: string;
  /** External identity providers offered as buttons (federation/), each with its start URL. */
  externalProviders?: { name: string; displayName: string; href: string }[];
  /** Show the username/password form (the client's `enableLocalLogin`); default true. */
  localLogin?: boolean;
  /** Passwordless sign-in with a passkey (docs/mfa.md): the button, its scripts' CSP nonce, and whether the last try failed. */
  passkey?: PasskeyButtonView & { scriptNonce: string; failed?: boolean };
}

const ERROR_ID = 'login-error';

function errorMessage(m: Messages, error: LoginError, retryAfter?: number): string {
  switch (error) {
    case 'invalid_credentials':
      return m.errorInvalidCredentials;
    case 'locked_out':
      return m.errorLockedOut(retryAfter);
    case 'inactive':
      return m.errorInactive;
    case 'csrf':
      return m.errorCsrf;
    case 'expired':
      return m.errorExpired;
  }
}

/** The login card body: client header, error, credentials form, cancel form. */
export function LoginPage(props: LoginPageProps): VNode {
  const m = t(props.locale);
  const { error, client } = props;
  const describedBy = error ? ERROR_ID : undefined;
  const invalid = error === 'invalid_credentials' ? 'true' : undefined;
  // Focus the first field the user still has to fill: the password when the username is known.
  const focusPassword = Boolean(props.username);
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} display={props.display} title={m.loginTitle}>
      <div class="gh-header">
        <ClientLogo client={client} locale={props.locale} />
        <h1>{m.loginHeading}</h1>
        <p class="gh-muted">
          {m.loginContinueTo.before}
          <ClientName client={client} />
          {m.loginContinueTo.after}
        </p>
      </div>
      {error && <Alert id={ERROR_ID} message={errorMessage(m, error, props.retryAfter)} />}
      {props.externalProviders && props.externalProviders.length > 0 && (
        <nav class="gh-external" aria-label={m.externalProvidersLabel}>
          {props.externalProviders.map((p) => (
            <a class="gh-button gh-button-secondary" href={p.href} data-provider={p.name}>
              {m.signInWith(p.displayName)}
            </a>
          ))}
        </nav>
      )}
      {props.externalProviders && props.externalProviders.length > 0 && props.localLogin !== false && (
        <p class="gh-divider" aria-hidden="true">
          {m.orDivider}
        </p>
      )}
      {props.localLogin !== false && (
        <form method="post" action={props.action}>
          <CsrfField token={props.csrfToken} />
          <div class="gh-field">
            <label class="gh-label" for="username">
              {m.usernameLabel}
            </label>
            <input
              class="gh-input"
              id="username"
              name="username"
              type="text"
              value={props.username ?? ''}
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              maxLength={255}
              autofocus={!focusPassword}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          </div>
          <div class="gh-field">
            <label class="gh-label" for="password">
              {m.passwordLabel}
            </label>
            <input
              class="gh-input"
              id="password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              maxLength={1024}
              autofocus={focusPassword}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          </div>
          <label class="gh-check" for="remember">
            <input id="remember" name="remember" type="checkbox" value="1" />
            <span>{m.rememberMe}</span>
          </label>
          <button class="gh-button gh-button-primary" type="submit">
            {m.signIn}
          </button>
        </form>
      )}
      {props.passkey?.failed && <Alert id="passkey-error" message={m.mfa.passkeyFailed} />}
      {props.passkey && <PasskeyForm view={props.passkey} csrfToken={props.csrfToken} label={m.mfa.signInWithPasskey} failed={m.mfa.passkeyFailed} />}
      {props.passkey && <PasskeyScripts basePath={props.basePath} nonce={props.passkey.scriptNonce} />}
      {props.cancelAction && (
        <form class="gh-cancel" method="post" action={props.cancelAction}>
          <CsrfField token={props.csrfToken} />
          <button class="gh-button gh-button-secondary" type="submit" name="decision" value="deny">
            {m.cancel}
          </button>
        </form>
      )}
    </Layout>
  );
}

/**
 * Render the login page as a full HTML document.
 *
 * @example
 * renderLoginPage({ locale: 'en', theme, basePath: '/ui', action: '/ui/login/abc',
 *   csrfToken, client: { name: 'Shop' }, cancelAction: '/ui/login/abc/cancel' });
 */
export function renderLoginPage(props: LoginPageProps): string {
  return renderDocument(<LoginPage {...props} />);
}
