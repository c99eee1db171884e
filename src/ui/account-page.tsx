import type { VNode } from 'preact';
import { Alert, CsrfField } from './components.js';
import { t, type Messages } from './i18n.js';
import { Layout, renderDocument, safeUrl, type PageBaseProps } from './layout.js';
import { accountErrorMessage, type AccountError, type PasswordLimits } from './account-messages.js';
import { NewPasswordFields } from './password-fields.js';

/** One of the user's live sessions. */
export interface AccountSessionView {
  sid: string;
  /** This browser's session (signing it out signs this browser out). */
  current: boolean;
  /** When it signed in, formatted for the page's locale. */
  signedIn: string;
  /** Names of the applications that signed in through it. */
  apps: string[];
}

/** An application holding consent or tokens for the user. */
export interface AccountAppView {
  clientId: string;
  name: string;
}

/** A link to another account page: `security` (two-factor, passkeys) or `linked` (external accounts). */
export interface AccountLinkView {
  href: string;
  kind: 'security' | 'linked';
}

/** What the last form did: shown as a status message. */
export type AccountNotice = 'password_changed' | 'session_ended' | 'app_revoked';

/** Props of the built-in account page `{basePath}/account`. */
export interface AccountPageProps extends PageBaseProps {
  csrfToken: string;
  user: { name: string; username: string; email?: string; subjectId: string };
  notice?: AccountNotice;
  /** An error of the page as a whole (a form sent without its CSRF token). */
  formError?: AccountError;
  /** The password form's error (its values are never echoed). */
  passwordError?: AccountError;
  deleteError?: AccountError;
  retryAfter?: number;
  limits: PasswordLimits;
  /** Form POST URL of the password change; absent when the user store cannot set passwords. */
  changePasswordAction?: string;
  sessions: AccountSessionView[];
  /** Form POST URL that ends one session (field sid). */
  endSessionAction: string;
  apps: AccountAppView[];
  /** Form POST URL that revokes one application's access (field client_id). */
  revokeAction: string;
  /** Further account pages (multi-factor, linked accounts). */
  links: AccountLinkView[];
  /** Form POST URL of the deletion; absent when deletion is off. */
  deleteAction?: string;
  /** The sign-in is recent enough to delete without the password (account.reauthenticationMaxAge). */
  recentSignIn?: boolean;
  signOutAction: string;
}

const NOTICE: Record<AccountNotice, (m: Messages) => string> = {
  password_changed: (m) => m.accountPasswordChanged,
  session_ended: (m) => m.accountSessionEnded,
  app_revoked: (m) => m.accountAppRevoked,
};

function PasswordSection(props: AccountPageProps & { m: Messages }): VNode {
  const { m, passwordError: error } = props;
  const wrong = error === 'wrong_password' || error === 'locked_out';
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">{m.accountPasswordHeading}</h2>
      {!props.changePasswordAction ? (
        <p class="gh-muted gh-small">{m.accountPasswordManaged}</p>
      ) : (
        <form method="post" action={props.changePasswordAction}>
          <CsrfField token={props.csrfToken} />
          {error && <Alert id="password-error" message={accountErrorMessage(m, error, props.limits, props.retryAfter)} />}
          <div class="gh-field">
            <label class="gh-label" for="current-password">
              {m.accountCurrentPassword}
            </label>
            <input
              class="gh-input"
              id="current-password"
              name="current_password"
              type="password"
              autocomplete="current-password"
              required
              maxLength={4096}
              aria-describedby={wrong ? 'password-error' : undefined}
              aria-invalid={wrong ? 'true' : undefined}
            />
          </div>
          <NewPasswordFields
            m={m}
            limits={props.limits}
            idPrefix="new"
            describedBy={error && !wrong ? 'password-error' : undefined}
            invalid={Boolean(error && !wrong)}
          />
          <label class="gh-check" for="end-others">
            <input id="end-others" name="end_other_sessions" type="checkbox" value="1" />
            <span>{m.accountEndOthers}</span>
          </label>
          <button class="gh-button gh-button-primary" type="submit">
            {m.accountChangePassword}
          </button>
        </form>
      )}
    </section>
  );
}

function SessionsSection(props: AccountPageProps & { m: Messages }): VNode {
  const { m } = props;
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{m.accountSessionsHeading}</h2>
      <ul class="gh-list">
        {props.sessions.map((s) => (
          <li key={s.sid}>
            <p>
              <strong>{s.current ? m.accountSessionThis : m.accountSessionSince(s.signedIn)}</strong>
              {s.current && <span class="gh-muted gh-small"> · {m.accountSessionSince(s.signedIn)}</span>}
            </p>
            {s.apps.length > 0 && <p class="gh-muted gh-small">{m.accountSessionApps(s.apps.join(', '))}</p>}
            <form method="post" action={props.endSessionAction}>
              <CsrfField token={props.csrfToken} />
              <input type="hidden" name="sid" value={s.sid} />
              <button class="gh-button gh-button-secondary" type="submit">
                {m.accountEndSession}
                <span class="gh-sr-only"> ({s.current ? m.accountSessionThis : m.accountSessionSince(s.signedIn)})</span>
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}

function AppsSection(props: AccountPageProps & { m: Messages }): VNode {
  const { m } = props;
  return (
    <section aria-labelledby="apps-heading">
      <h2 id="apps-heading">{m.homeApps}</h2>
      {props.apps.length === 0 ? (
        <p class="gh-muted gh-small">{m.homeNoApps}</p>
      ) : (
        <ul class="gh-list">
          {props.apps.map((a) => (
            <li key={a.clientId}>
              <p>
                <strong>{a.name}</strong>
              </p>
              <form method="post" action={props.revokeAction}>
                <CsrfField token={props.csrfToken} />
                <input type="hidden" name="client_id" value={a.clientId} />
                <button class="gh-button gh-button-secondary" type="submit">
                  {m.revokeAccess}
                  <span class="gh-sr-only"> ({a.name})</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function DeleteSection(props: AccountPageProps & { m: Messages; action: string }): VNode {
  const { m, deleteError: error } = props;
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">{m.accountDeleteHeading}</h2>
      <p class="gh-small">{m.accountDeleteIntro}</p>
      {error && <Alert id="delete-error" message={accountErrorMessage(m, error, props.limits, props.retryAfter)} />}
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <div class="gh-field">
          <label class="gh-label" for="delete-password">
            {m.accountDeletePassword}
          </label>
          <input
            class="gh-input"
            id="delete-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required={!props.recentSignIn}
            maxLength={4096}
            aria-describedby={[props.recentSignIn ? 'delete-fresh' : '', error ? 'delete-error' : ''].filter(Boolean).join(' ') || undefined}
            aria-invalid={error ? 'true' : undefined}
          />
          {props.recentSignIn && (
            <p class="gh-muted gh-small" id="delete-fresh">
              {m.accountDeleteFresh}
            </p>
          )}
        </div>
        <button class="gh-button gh-button-danger" type="submit">
          {m.accountDelete}
        </button>
      </form>
    </section>
  );
}

/** The account card: profile, notices, password, sessions, applications, more pages, deletion, sign-out. */
export function AccountPage(props: AccountPageProps): VNode {
  const m = t(props.locale);
  const { user } = props;
  const links = props.links.flatMap((l) => {
    const href = safeUrl(l.href);
    return href ? [{ href, label: l.kind === 'security' ? m.accountSecurityLink : m.accountLinkedLink }] : [];
  });
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.accountTitle}>
      <div class="gh-header">
        <h1>{m.accountTitle}</h1>
        <p class="gh-muted">{m.homeSignedInAs(user.name)}</p>
      </div>
      {props.formError && <Alert id="form-error" message={accountErrorMessage(m, props.formError, props.limits)} />}
      {props.notice && (
        <p class="gh-notice" role="status">
          {NOTICE[props.notice](m)}
        </p>
      )}
      <section aria-labelledby="profile-heading">
        <h2 id="profile-heading">{m.accountProfile}</h2>
        <dl class="gh-claims">
          <dt>{m.homeUsername}</dt>
          <dd>{user.username}</dd>
          {user.email && (
            <>
              <dt>{m.accountEmail}</dt>
              <dd>{user.email}</dd>
            </>
          )}
          <dt>{m.homeSubject}</dt>
          <dd class="gh-code">{user.subjectId}</dd>
        </dl>
      </section>
      <PasswordSection {...props} m={m} />
      <SessionsSection {...props} m={m} />
      <AppsSection {...props} m={m} />
      {links.length > 0 && (
        <nav aria-labelledby="more-heading">
          <h2 id="more-heading">{m.accountMoreHeading}</h2>
          <ul class="gh-list">
            {links.map((l) => (
              <li key={l.href}>
                <a href={l.href}>{l.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {props.deleteAction && <DeleteSection {...props} m={m} action={props.deleteAction} />}
      <form class="gh-cancel" method="post" action={props.signOutAction}>
        <CsrfField token={props.csrfToken} />
        <button class="gh-button gh-button-secondary" type="submit">
          {m.signOut}
        </button>
      </form>
    </Layout>
  );
}

/**
 * Render the account page as a full HTML document.
 *
 * @example
 * renderAccountPage({ locale: 'en', theme, basePath: '/ui', csrfToken, user: { name: 'Ada', username: 'ada@example.com', subjectId: '1' },
 *   limits: { minLength: 10, maxLength: 256 }, sessions: [], endSessionAction: '/ui/account/sessions/end', apps: [],
 *   revokeAction: '/ui/account/apps/revoke', links: [], signOutAction: '/ui/logout' });
 */
export function renderAccountPage(props: AccountPageProps): string {
  return renderDocument(<AccountPage {...props} />);
}
