import type { VNode } from 'preact';
import { Alert, ClientName, CsrfField, type ClientView } from './components.js';
import { t, type Messages } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';

/** Why the code the user entered was not taken (RFC 8628 §3.3); every one lets the user try again. */
export type DeviceCodeError = 'invalid' | 'expired' | 'used' | 'rate_limited' | 'csrf' | 'restart';

/** Props of the built-in device verification page (RFC 8628 §3.3). */
export interface DevicePageProps extends PageBaseProps {
  /** `enter`: the code form; `approved` / `denied`: the end of the flow. */
  step: 'enter' | 'approved' | 'denied';
  /** Form POST URL of the code. */
  action: string;
  csrfToken: string;
  /** Prefilled code (from verification_uri_complete, or the previous attempt). */
  userCode?: string;
  error?: DeviceCodeError;
  /** Seconds until another guess is allowed (rate_limited). */
  retryAfter?: number;
  /** The device's client, on the end pages. */
  client?: ClientView;
}

const ERROR_ID = 'device-error';

function errorMessage(m: Messages, error: DeviceCodeError, retryAfter?: number): string {
  switch (error) {
    case 'invalid':
      return m.deviceErrorInvalid;
    case 'expired':
      return m.deviceErrorExpired;
    case 'used':
      return m.deviceErrorUsed;
    case 'rate_limited':
      return m.errorLockedOut(retryAfter);
    case 'csrf':
      return m.errorCsrf;
    case 'restart':
      return m.deviceErrorRestart;
  }
}

function CodeForm(props: DevicePageProps & { m: Messages }): VNode {
  const { m, error } = props;
  return (
    <>
      <div class="gh-header">
        <h1>{m.deviceHeading}</h1>
        <p class="gh-muted">{m.deviceIntro}</p>
      </div>
      {error && <Alert id={ERROR_ID} message={errorMessage(m, error, props.retryAfter)} />}
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <div class="gh-field">
          <label class="gh-label" for="user_code">
            {m.deviceCodeLabel}
          </label>
          <input
            class="gh-input"
            id="user_code"
            name="user_code"
            type="text"
            value={props.userCode ?? ''}
            autocomplete="one-time-code"
            autocapitalize="characters"
            spellcheck={false}
            required
            maxLength={64}
            autofocus
            aria-describedby={error ? ERROR_ID : undefined}
            aria-invalid={error === 'invalid' || error === 'expired' || error === 'used' ? 'true' : undefined}
          />
        </div>
        <button class="gh-button gh-button-primary" type="submit">
          {m.deviceContinue}
        </button>
      </form>
    </>
  );
}

/** The device page: the code form, or the end of the flow (approved, denied). */
export function DevicePage(props: DevicePageProps): VNode {
  const m = t(props.locale);
  const client = props.client ?? { name: '' };
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.deviceTitle}>
      {props.step === 'enter' && <CodeForm {...props} m={m} />}
      {props.step !== 'enter' && (
        <div class="gh-header">
          <h1>{props.step === 'approved' ? m.deviceApprovedHeading : m.deviceDeniedHeading}</h1>
          <p class="gh-muted">
            <ClientName client={client} />
            {props.step === 'approved' ? m.deviceApprovedBody : m.deviceDeniedBody}
          </p>
        </div>
      )}
    </Layout>
  );
}

/**
 * Render the device page as a full HTML document.
 *
 * @example
 * renderDevicePage({ locale: 'en', theme, basePath: '/ui', step: 'enter', action: '/ui/device', csrfToken, userCode: 'WDJB-MJHT' });
 */
export function renderDevicePage(props: DevicePageProps): string {
  return renderDocument(<DevicePage {...props} />);
}
