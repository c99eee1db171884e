import type { Messages } from './messages-en.js';
import { accountDe } from './messages-account-de.js';
import { mfaDe } from './mfa-messages.js';

/** "N Sekunden" / "N Minuten" (aufgerundet). */
function waitDe(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 Sekunde' : `${seconds} Sekunden`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 Minute' : `${minutes} Minuten`;
}

/** German messages. Typed as {@link Messages}: a missing key fails to compile. */
export const de: Messages = {
  footer: (product) => `Geschützt durch ${product}`,
  logoAlt: (product) => `${product}-Logo`,
  clientLogoAlt: (client) => `${client}-Logo`,

  loginTitle: 'Anmelden',
  loginHeading: 'Bei Ihrem Konto anmelden',
  loginContinueTo: { before: 'um zu ', after: ' fortzufahren' },
  usernameLabel: 'Benutzername',
  passwordLabel: 'Passwort',
  rememberMe: 'Angemeldet bleiben',
  signIn: 'Anmelden',
  signInWith: (provider) => `Mit ${provider} anmelden`,
  externalProvidersLabel: 'Andere Anmeldewege',
  orDivider: 'oder',
  cancel: 'Abbrechen',
  errorInvalidCredentials: 'Benutzername oder Passwort ist ungültig.',
  errorLockedOut: (retryAfter) =>
    retryAfter !== undefined && retryAfter > 0
      ? `Zu viele fehlgeschlagene Versuche. Bitte versuchen Sie es in ${waitDe(Math.ceil(retryAfter))} erneut.`
      : 'Zu viele fehlgeschlagene Versuche. Bitte versuchen Sie es später erneut.',
  errorInactive: 'Dieses Konto ist deaktiviert. Wenden Sie sich an Ihre Administration.',
  errorCsrf: 'Ihre Sitzung hat sich geändert. Bitte versuchen Sie es erneut.',
  errorExpired: 'Diese Anmeldeanfrage ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.',

  consentTitle: 'Zugriff erlauben',
  consentHeading: { before: '', after: ' möchte auf Ihr Konto zugreifen' },
  consentSignedInAs: (user) => `Angemeldet als ${user}`,
  consentIdentityScopes: 'Persönliche Informationen',
  consentApiScopes: 'Anwendungszugriff',
  consentRequired: 'erforderlich',
  consentRemember: 'Entscheidung merken',
  consentAllow: 'Erlauben',
  consentDeny: 'Ablehnen',

  errorTitle: 'Etwas ist schiefgelaufen',
  errorRequestTitle: 'Die Anmeldeanfrage kann nicht abgeschlossen werden',
  errorIntro: 'Die Anwendung hat eine Anfrage gesendet, die nicht abgeschlossen werden kann.',
  errorServerIntro: 'Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.',
  errorCodeLabel: 'Fehler',
  errorDescriptionLabel: 'Details',
  errorReference: (id) => `Referenz: ${id}`,
  errorReferenceHint: 'Bitte nennen Sie diese Referenz, wenn Sie den Support kontaktieren.',

  homeTitle: 'Ihr Konto',
  homeSignedInAs: (name) => `Angemeldet als ${name}`,
  homeUsername: 'Benutzername',
  homeSubject: 'Subjekt-ID',
  homeClaims: 'Claims',
  homeNoClaims: 'Keine weiteren Claims.',
  homeApps: 'Anwendungen mit Zugriff',
  homeNoApps: 'Keine Anwendung hat Zugriff auf Ihr Konto.',
  homeLaunchApps: 'Anwendung öffnen',
  revokeAccess: 'Zugriff entziehen',
  revokeAccessFor: (client) => `Zugriff für ${client} entziehen`,
  cibaPending: 'Anmeldeanfragen, die auf Sie warten',
  cibaRequestFrom: (client) => `${client} bittet Sie, sich anzumelden`,
  cibaBindingMessage: 'Von der Anwendung angezeigter Code',
  cibaScopes: 'Angefragter Zugriff',
  cibaApprove: 'Zulassen',
  cibaDeny: 'Ablehnen',
  signOut: 'Abmelden',
  homeNotSignedIn: 'Sie sind nicht angemeldet',
  homeDescription: (product) => `${product} ist der Anmeldedienst für Ihre Anwendungen. Öffnen Sie eine Anwendung, um sich anzumelden.`,

  loggedOutTitle: 'Abgemeldet',
  loggedOutHeading: 'Sie sind jetzt abgemeldet',
  loggedOutBody: 'Sie können dieses Fenster schließen.',
  loggedOutReturn: (client) => (client ? `Zurück zu ${client}` : 'Zurück zur Anwendung'),

  logoutConfirmTitle: 'Abmelden',
  logoutConfirmHeading: 'Möchten Sie sich abmelden?',
  logoutConfirmBody: (client) =>
    client ? `${client} möchte Ihre Sitzung beenden. Sie werden von allen Anwendungen abgemeldet.` : 'Sie werden von allen Anwendungen abgemeldet.',
  logoutConfirmNo: 'Angemeldet bleiben',

  deviceTitle: 'Gerät verbinden',
  deviceHeading: 'Gerät verbinden',
  deviceIntro: 'Geben Sie den Code ein, den Ihr Gerät anzeigt.',
  deviceCodeLabel: 'Code',
  deviceContinue: 'Weiter',
  deviceErrorInvalid: 'Dieser Code ist ungültig. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.',
  deviceErrorExpired: 'Dieser Code ist abgelaufen. Starten Sie auf Ihrem Gerät neu, um einen neuen Code zu erhalten.',
  deviceErrorUsed: 'Dieser Code wurde bereits verwendet. Starten Sie auf Ihrem Gerät neu, um einen neuen Code zu erhalten.',
  deviceErrorRestart: 'Diese Bestätigung ist abgelaufen oder wurde in einem anderen Fenster begonnen. Geben Sie den Code erneut ein.',
  deviceApprovedHeading: 'Ihr Gerät ist verbunden',
  deviceApprovedBody: ' kann jetzt auf Ihr Konto zugreifen. Kehren Sie zu Ihrem Gerät zurück; Sie können dieses Fenster schließen.',
  deviceDeniedHeading: 'Zugriff verweigert',
  deviceDeniedBody: ' hat keinen Zugriff auf Ihr Konto erhalten. Sie können dieses Fenster schließen.',

  formPostTitle: 'Weiter',
  formPostBody: 'Wählen Sie „Weiter“, um zur Anwendung zurückzukehren.',
  formPostContinue: 'Weiter',
  // account self-service (docs/account.md)
  ...accountDe,

  mfa: mfaDe,
};
