import type { VNode } from 'preact';
import { Alert, CsrfField } from './components.js';
import { t, type Messages } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';
import { accountErrorMessage, type AccountError, type PasswordLimits } from './account-messages.js';
import { NewPasswordFields } from './password-fields.js';

/** The steps of registration, email verification, password reset and the end of a deleted account. */
export type AccountFlowStep =
  'register' | 'registerSent' | 'verify' | 'verified' | 'resetRequest' | 'resetSent' | 'resetForm' | 'resetDone' | 'linkInvalid' | 'deleted';

/** Props of the built-in account flow page (registration, verification, password reset). */
export interface AccountFlowPageProps extends PageBaseProps {
  step: AccountFlowStep;
  /** Form POST URL of the step's form. */
  action?: string;
  csrfToken?: string;
  /** The mailed link's token, carried by the verify and reset forms. */
  token?: string;
  /** The address typed before (register, reset request). */
  email?: string;
  error?: AccountError;
  retryAfter?: number;
  /** linkInvalid: why. */
  linkProblem?: 'invalid' | 'expired';
  limits: PasswordLimits;
  /** The reset request page, linked from registration and from a dead reset link. */
  resetUrl?: string;
}

const TITLES: Record<AccountFlowStep, (m: Messages) => string> = {
  register: (m) => m.registerTitle,
  registerSent: (m) => m.registerSentHeading,
  verify: (m) => m.verifyTitle,
  verified: (m) => m.verifiedHeading,
  resetRequest: (m) => m.resetTitle,
  resetSent: (m) => m.registerSentHeading,
  resetForm: (m) => m.resetTitle,
  resetDone: (m) => m.resetDoneHeading,
  linkInvalid: (m) => m.linkInvalidHeading,
  deleted: (m) => m.accountDeletedTitle,
};

function EmailField(props: { m: Messages; email?: string; error?: AccountError }): VNode {
  const invalid = props.error === 'invalid_email';
  return (
    <div class="gh-field">
      <label class="gh-label" for="email">
        {props.m.accountEmail}
      </label>
      <input
        class="gh-input"
        id="email"
        name="email"
        type="email"
        value={props.email ?? ''}
        autocomplete="email"
        autocapitalize="none"
        spellcheck={false}
        required
        maxLength={254}
        autofocus
        aria-describedby={props.error ? 'flow-error' : undefined}
        aria-invalid={invalid ? 'true' : undefined}
      />
    </div>
  );
}

function Body(props: AccountFlowPageProps & { m: Messages }): VNode {
  const { m, step, error } = props;
  const alert = error && <Alert id="flow-error" message={accountErrorMessage(m, error, props.limits, props.retryAfter)} />;
  const form = (children: VNode, submit: string) => (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrfToken ?? ''} />
      {props.token && <input type="hidden" name="token" value={props.token} />}
      {children}
      <button class="gh-button gh-button-primary" type="submit">
        {submit}
      </button>
    </form>
  );
  const text = (body: string) => <p>{body}</p>;
  switch (step) {
    case 'register':
      return (
        <>
          <p class="gh-muted">{m.registerIntro}</p>
          {alert}
          {form(
            <>
              <EmailField m={m} email={props.email} error={error} />
              <NewPasswordFields
                m={m}
                limits={props.limits}
                idPrefix="new"
                describedBy={error ? 'flow-error' : undefined}
                invalid={Boolean(error && error !== 'invalid_email')}
              />
            </>,
            m.registerSubmit,
          )}
          {props.resetUrl && (
            <p class="gh-small gh-cancel">
              <a href={props.resetUrl}>{m.registerHaveAccount}</a>
            </p>
          )}
        </>
      );
    case 'registerSent':
      return text(m.registerSentBody);
    case 'verify':
      return (
        <>
          {text(m.verifyBody)}
          {form(<></>, m.verifyConfirm)}
        </>
      );
    case 'verified':
      return text(m.verifiedBody);
    case 'resetRequest':
      return (
        <>
          <p class="gh-muted">{m.resetIntro}</p>
          {alert}
          {form(<EmailField m={m} email={props.email} error={error} />, m.resetSubmit)}
        </>
      );
    case 'resetSent':
      return text(m.resetSentBody);
    case 'resetForm':
      return (
        <>
          <p class="gh-muted">{m.resetFormIntro}</p>
          {alert}
          {form(
            <NewPasswordFields m={m} limits={props.limits} idPrefix="new" describedBy={error ? 'flow-error' : undefined} invalid={Boolean(error)} />,
            m.resetSave,
          )}
        </>
      );
    case 'resetDone':
      return text(m.resetDoneBody);
    case 'linkInvalid':
      return (
        <>
          <div class="gh-alert" role="alert">
            {props.linkProblem === 'expired' ? m.linkExpired : m.linkInvalid}
          </div>
          {props.resetUrl && (
            <p>
              <a href={props.resetUrl}>{m.requestNewLink}</a>
            </p>
          )}
        </>
      );
    case 'deleted':
      return text(m.accountDeletedBody);
  }
}

/** One step of registration, verification or password reset. */
export function AccountFlowPage(props: AccountFlowPageProps): VNode {
  const m = t(props.locale);
  const title = TITLES[props.step](m);
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={title}>
      <div class="gh-header">
        <h1>{title}</h1>
      </div>
      <Body {...props} m={m} />
    </Layout>
  );
}

/**
 * Render an account flow step as a full HTML document.
 *
 * @example
 * renderAccountFlowPage({ locale: 'en', theme, basePath: '/ui', step: 'resetRequest', action: '/ui/account/reset', csrfToken, limits: { minLength: 10, maxLength: 256 } });
 */
export function renderAccountFlowPage(props: AccountFlowPageProps): string {
  return renderDocument(<AccountFlowPage {...props} />);
}
