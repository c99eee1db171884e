/**
 * The multi-factor pages: the second step of sign-in (TOTP code, recovery
 * code, passkey), TOTP set-up (QR code and key), the recovery codes shown
 * once, and the account security page. Forms work without JavaScript; only
 * the passkey buttons need it (they stay hidden without it).
 */
import { Fragment, type VNode } from 'preact';
import { Alert, CsrfField } from './components.js';
import { t, type Messages } from './i18n.js';
import { assetUrl, Layout, renderDocument, type PageBaseProps } from './layout.js';

type Mfa = Messages['mfa'];

export type SecondFactorError = 'wrong_code' | 'reused_code' | 'wrong_recovery_code' | 'passkey' | 'locked_out' | 'csrf';

/** A passkey button: the script fetches options, runs the ceremony, fills `credential` and submits the form. */
export interface PasskeyButtonView {
  /** POST URL answering the WebAuthn options (JSON). */
  optionsUrl: string;
  /** POST URL of the form that carries the credential. */
  action: string;
  kind: 'authenticate' | 'register';
}

/** The scripts of the passkey buttons (need the page's CSP nonce). */
export function PasskeyScripts(props: { basePath: string; nonce: string }): VNode {
  return (
    <>
      <script src={assetUrl(props.basePath, 'webauthn-browser.js')} nonce={props.nonce} defer />
      <script src={assetUrl(props.basePath, 'mfa.js')} nonce={props.nonce} defer />
    </>
  );
}

/** A form with a hidden passkey button (shown by mfa.js where WebAuthn works). */
export function PasskeyForm(props: { view: PasskeyButtonView; csrfToken: string; label: string; failed: string; children?: VNode }): VNode {
  return (
    <form method="post" action={props.view.action} class="gh-passkey">
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="credential" value="" />
      {props.children}
      <div class="gh-alert" role="alert" hidden data-gh-webauthn-error>
        {props.failed}
      </div>
      <button class="gh-button gh-button-secondary" type="button" hidden data-gh-webauthn={props.view.kind} data-options={props.view.optionsUrl}>
        {props.label}
      </button>
    </form>
  );
}

function errorText(m: Mfa, e: SecondFactorError, lockedOut: string, csrf: string): string {
  switch (e) {
    case 'wrong_code':
      return m.errorWrongCode;
    case 'reused_code':
      return m.errorReusedCode;
    case 'wrong_recovery_code':
      return m.errorWrongRecoveryCode;
    case 'passkey':
      return m.errorPasskey;
    case 'locked_out':
      return lockedOut;
    case 'csrf':
      return csrf;
  }
}

export interface TotpSetupView {
  /** data: URL of the QR code PNG. */
  qrDataUrl: string;
  /** The base32 secret, for manual entry. */
  secret: string;
}

export interface SecondFactorPageProps extends PageBaseProps {
  /** Which form is shown: a TOTP code, a recovery code, or TOTP set-up (a user who must have a second factor and has none). */
  method: 'totp' | 'recovery' | 'setup' | 'passkey';
  action: string;
  csrfToken: string;
  error?: SecondFactorError;
  retryAfter?: number;
  /** Links between the TOTP and recovery forms (absent when the user has no such factor). */
  totpHref?: string;
  recoveryHref?: string;
  passkey?: PasskeyButtonView;
  setup?: TotpSetupView;
  offerRememberDevice: boolean;
  scriptNonce?: string;
  cancelAction?: string;
}

function CodeField(props: { id: string; label: string; recovery: boolean; error: boolean }): VNode {
  return (
    <div class="gh-field">
      <label class="gh-label" for={props.id}>
        {props.label}
      </label>
      <input
        class="gh-input"
        id={props.id}
        name="code"
        type="text"
        inputMode={props.recovery ? 'text' : 'numeric'}
        autocomplete="one-time-code"
        autocapitalize="none"
        spellcheck={false}
        required
        maxLength={props.recovery ? 24 : 8}
        autofocus
        aria-describedby={props.error ? 'mfa-error' : undefined}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}

export function TotpSetup(props: { setup: TotpSetupView; m: Mfa }): VNode {
  return (
    <>
      <p class="gh-small">{props.m.setupScan}</p>
      <p>
        <img class="gh-qr" src={props.setup.qrDataUrl} alt={props.m.qrAlt} width={200} height={200} />
      </p>
      <p class="gh-small">
        {props.m.setupManual} <code class="gh-secret">{props.setup.secret.match(/.{1,4}/g)?.join(' ')}</code>
      </p>
    </>
  );
}

/** The second step of sign-in. */
export function SecondFactorPage(props: SecondFactorPageProps): VNode {
  const all = t(props.locale);
  const m = all.mfa;
  const { method, error } = props;
  const heading = method === 'setup' ? m.setupHeading : m.secondFactorHeading;
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={method === 'setup' ? m.setupTitle : m.secondFactorTitle}>
      <div class="gh-header">
        <h1>{heading}</h1>
        <p class="gh-muted">
          {method === 'totp' ? m.secondFactorIntro : method === 'recovery' ? m.recoveryIntro : method === 'passkey' ? m.passkeyIntro : m.setupRequiredIntro}
        </p>
      </div>
      {error && <Alert id="mfa-error" message={errorText(m, error, all.errorLockedOut(props.retryAfter), all.errorCsrf)} />}
      {method === 'setup' && props.setup && <TotpSetup setup={props.setup} m={m} />}
      {method !== 'passkey' && (
        <form method="post" action={props.action}>
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="method" value={method} />
          <CodeField id="code" label={method === 'recovery' ? m.recoveryCodeLabel : m.codeLabel} recovery={method === 'recovery'} error={Boolean(error)} />
          {props.offerRememberDevice && (
            <label class="gh-check" for="remember_device">
              <input id="remember_device" name="remember_device" type="checkbox" value="1" />
              <span>{m.rememberDevice}</span>
            </label>
          )}
          <button class="gh-button gh-button-primary" type="submit">
            {method === 'setup' ? m.confirm : m.verify}
          </button>
        </form>
      )}
      {method === 'totp' && props.recoveryHref && (
        <p class="gh-small">
          <a href={props.recoveryHref}>{m.useRecoveryCode}</a>
        </p>
      )}
      {method === 'passkey' && props.recoveryHref && (
        <p class="gh-small">
          <a href={props.recoveryHref}>{m.useRecoveryCode}</a>
        </p>
      )}
      {method === 'recovery' && props.totpHref && (
        <p class="gh-small">
          <a href={props.totpHref}>{m.useAuthenticatorCode}</a>
        </p>
      )}
      {props.passkey && <PasskeyForm view={props.passkey} csrfToken={props.csrfToken} label={m.usePasskey} failed={m.passkeyFailed} />}
      {props.cancelAction && (
        <form class="gh-cancel" method="post" action={props.cancelAction}>
          <CsrfField token={props.csrfToken} />
          <button class="gh-button gh-button-secondary" type="submit" name="decision" value="deny">
            {all.cancel}
          </button>
        </form>
      )}
      {props.passkey && props.scriptNonce && <PasskeyScripts basePath={props.basePath} nonce={props.scriptNonce} />}
    </Layout>
  );
}

export const renderSecondFactorPage = (props: SecondFactorPageProps): string => renderDocument(<SecondFactorPage {...props} />);

export interface RecoveryCodesPageProps extends PageBaseProps {
  codes: string[];
  /** Where Continue goes (a link, or a form when continuing a sign-in). */
  continueHref: string;
}

/** The recovery codes, shown once. */
export function RecoveryCodesPage(props: RecoveryCodesPageProps): VNode {
  const m = t(props.locale).mfa;
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.recoveryTitle}>
      <div class="gh-header">
        <h1>{m.recoveryHeading}</h1>
        <p class="gh-muted">{m.recoveryShownOnce}</p>
      </div>
      <ul class="gh-codes" aria-label={m.recoveryTitle}>
        {props.codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <a class="gh-button gh-button-primary" href={props.continueHref}>
        {m.continue}
      </a>
    </Layout>
  );
}

export const renderRecoveryCodesPage = (props: RecoveryCodesPageProps): string => renderDocument(<RecoveryCodesPage {...props} />);

export interface SecurityPageProps extends PageBaseProps {
  /** Absent when nobody is signed in. */
  status?: {
    username: string;
    totp: boolean;
    recoveryCodesLeft: number;
    passkeys: { id: string; name: string }[];
  };
  csrfToken: string;
  actions: { totpStart: string; totpConfirm: string; totpRemove: string; recovery: string; passkeyRemove: string; devicesForget: string };
  passkey: PasskeyButtonView;
  /** TOTP set-up in progress. */
  setup?: TotpSetupView;
  error?: SecondFactorError;
  saved?: boolean;
  rememberDevice: boolean;
  scriptNonce: string;
  homeHref: string;
}

function PostButton(props: { action: string; csrfToken: string; label: string; fields?: Record<string, string>; ariaLabel?: string }): VNode {
  return (
    <form method="post" action={props.action} class="gh-inline-form">
      <CsrfField token={props.csrfToken} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button class="gh-button gh-button-secondary" type="submit" aria-label={props.ariaLabel}>
        {props.label}
      </button>
    </form>
  );
}

/** The account security page: authenticator app, recovery codes, passkeys, remembered devices. */
export function SecurityPage(props: SecurityPageProps): VNode {
  const all = t(props.locale);
  const m = all.mfa;
  const s = props.status;
  const csrf = props.csrfToken;
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={m.securityTitle}>
      <div class="gh-header">
        <h1>{m.securityHeading}</h1>
        {s && <p class="gh-muted">{all.homeSignedInAs(s.username)}</p>}
      </div>
      {!s && <p>{m.notSignedIn}</p>}
      {props.error && <Alert id="mfa-error" message={errorText(m, props.error, all.errorLockedOut(), all.errorCsrf)} />}
      {props.saved && (
        <p class="gh-notice" role="status">
          {m.done}
        </p>
      )}
      {s && (
        <>
          <section aria-labelledby="totp-heading">
            <h2 id="totp-heading">{m.totpHeading}</h2>
            {props.setup ? (
              <>
                <TotpSetup setup={props.setup} m={m} />
                <form method="post" action={props.actions.totpConfirm}>
                  <CsrfField token={csrf} />
                  <CodeField id="code" label={m.codeLabel} recovery={false} error={Boolean(props.error)} />
                  <button class="gh-button gh-button-primary" type="submit">
                    {m.confirm}
                  </button>
                </form>
              </>
            ) : (
              <>
                <p class="gh-small">{s.totp ? m.totpOn : m.totpOff}</p>
                <PostButton action={s.totp ? props.actions.totpRemove : props.actions.totpStart} csrfToken={csrf} label={s.totp ? m.totpRemove : m.totpSetUp} />
              </>
            )}
          </section>
          <section aria-labelledby="recovery-heading">
            <h2 id="recovery-heading">{m.recoverySection}</h2>
            <p class="gh-small">{m.recoveryLeft(s.recoveryCodesLeft)}</p>
            <PostButton action={props.actions.recovery} csrfToken={csrf} label={m.recoveryNew} />
          </section>
          <section aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">{m.passkeysHeading}</h2>
            {s.passkeys.length === 0 ? (
              <p class="gh-small gh-muted">{m.passkeysNone}</p>
            ) : (
              <dl class="gh-claims">
                {s.passkeys.map((p) => (
                  <Fragment key={p.id}>
                    <dt>{p.name}</dt>
                    <dd>
                      <PostButton
                        action={props.actions.passkeyRemove}
                        csrfToken={csrf}
                        label={m.remove}
                        fields={{ credential_id: p.id }}
                        ariaLabel={m.passkeyRemove(p.name)}
                      />
                    </dd>
                  </Fragment>
                ))}
              </dl>
            )}
            <noscript>
              <p class="gh-small gh-muted">{m.passkeyNeedsScript}</p>
            </noscript>
            <PasskeyForm view={props.passkey} csrfToken={csrf} label={m.passkeyAdd} failed={m.passkeyFailed}>
              <div class="gh-field">
                <label class="gh-label" for="passkey_name">
                  {m.passkeyName}
                </label>
                <input class="gh-input" id="passkey_name" name="name" type="text" maxLength={64} value="Passkey" />
              </div>
            </PasskeyForm>
          </section>
          {props.rememberDevice && (
            <section aria-labelledby="devices-heading">
              <h2 id="devices-heading">{m.devicesHeading}</h2>
              <PostButton action={props.actions.devicesForget} csrfToken={csrf} label={m.devicesForget} />
            </section>
          )}
        </>
      )}
      <p class="gh-small">
        <a href={props.homeHref}>{m.backHome}</a>
      </p>
      {s && <PasskeyScripts basePath={props.basePath} nonce={props.scriptNonce} />}
    </Layout>
  );
}

export const renderSecurityPage = (props: SecurityPageProps): string => renderDocument(<SecurityPage {...props} />);
