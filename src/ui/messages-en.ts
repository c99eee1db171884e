/**
 * English messages: the source of the message table's shape. Every other
 * locale is typed as {@link Messages}, so a missing key is a compile error.
 */

import { accountEn } from './messages-account-en.js';
import { mfaEn } from './mfa-messages.js';

/** Format a wait in seconds as "N seconds" / "N minutes" (rounded up). */
function waitEn(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export const en = {
  // layout
  footer: (product: string) => `Secured by ${product}`,
  logoAlt: (product: string) => `${product} logo`,
  clientLogoAlt: (client: string) => `${client} logo`,

  // login
  loginTitle: 'Sign in',
  loginHeading: 'Sign in to your account',
  /** Text around the (linked) client name. */
  loginContinueTo: { before: 'to continue to ', after: '' },
  usernameLabel: 'Username',
  passwordLabel: 'Password',
  rememberMe: 'Keep me signed in',
  signIn: 'Sign in',
  /** External identity providers (federation/): the button, the group's label and the divider before the password form. */
  signInWith: (provider: string) => `Sign in with ${provider}`,
  externalProvidersLabel: 'Other ways to sign in',
  orDivider: 'or',
  cancel: 'Cancel',
  errorInvalidCredentials: 'Invalid username or password.',
  errorLockedOut: (retryAfter?: number) =>
    retryAfter !== undefined && retryAfter > 0
      ? `Too many failed attempts. Try again in ${waitEn(Math.ceil(retryAfter))}.`
      : 'Too many failed attempts. Try again later.',
  errorInactive: 'This account is disabled. Contact your administrator.',
  errorCsrf: 'Your session has changed. Please try again.',
  errorExpired: 'This sign-in request has expired. Return to the application and start again.',

  // consent
  consentTitle: 'Authorize access',
  /** Text around the (linked) client name. */
  consentHeading: { before: '', after: ' wants to access your account' },
  consentSignedInAs: (user: string) => `Signed in as ${user}`,
  consentIdentityScopes: 'Personal information',
  consentApiScopes: 'Application access',
  consentRequired: 'required',
  consentRemember: 'Remember my decision',
  consentAllow: 'Allow',
  consentDeny: 'Deny',

  // error
  errorTitle: 'Something went wrong',
  errorRequestTitle: 'Sign-in request cannot be completed',
  errorIntro: 'The application sent a request that cannot be completed.',
  errorServerIntro: 'An unexpected error occurred. Please try again later.',
  errorCodeLabel: 'Error',
  errorDescriptionLabel: 'Details',
  errorReference: (id: string) => `Reference: ${id}`,
  errorReferenceHint: 'Quote this reference when you contact support.',

  // home
  homeTitle: 'Your account',
  homeSignedInAs: (name: string) => `Signed in as ${name}`,
  homeUsername: 'Username',
  homeSubject: 'Subject ID',
  homeClaims: 'Claims',
  homeNoClaims: 'No further claims.',
  homeApps: 'Applications with access',
  homeNoApps: 'No application holds access to your account.',
  homeLaunchApps: 'Open an application',
  revokeAccess: 'Revoke access',
  revokeAccessFor: (client: string) => `Revoke access for ${client}`,
  cibaPending: 'Sign-in requests waiting for you',
  cibaRequestFrom: (client: string) => `${client} asks you to sign in`,
  cibaBindingMessage: 'Code shown by the application',
  cibaScopes: 'Access requested',
  cibaApprove: 'Approve',
  cibaDeny: 'Deny',
  signOut: 'Sign out',
  homeNotSignedIn: 'You are not signed in',
  homeDescription: (product: string) => `${product} is the sign-in service for your applications. Open an application to sign in.`,

  // logged out
  loggedOutTitle: 'Signed out',
  loggedOutHeading: 'You are now signed out',
  loggedOutBody: 'You can close this window.',
  loggedOutReturn: (client?: string) => (client ? `Return to ${client}` : 'Return to the application'),

  // logout confirmation (RP-Initiated Logout 1.0 §2)
  logoutConfirmTitle: 'Sign out',
  logoutConfirmHeading: 'Do you want to sign out?',
  logoutConfirmBody: (client?: string) =>
    client ? `${client} asks to end your session. You will be signed out of every application.` : 'You will be signed out of every application.',
  logoutConfirmNo: 'Stay signed in',

  // device verification (RFC 8628 §3.3)
  deviceTitle: 'Connect a device',
  deviceHeading: 'Connect a device',
  deviceIntro: 'Enter the code shown on your device.',
  deviceCodeLabel: 'Code',
  deviceContinue: 'Continue',
  deviceErrorInvalid: 'This code is not valid. Check the code on your device and try again.',
  deviceErrorExpired: 'This code has expired. Start again on your device to get a new code.',
  deviceErrorUsed: 'This code has already been used. Start again on your device to get a new code.',
  deviceErrorRestart: 'This confirmation has expired or was started in another window. Enter the code again.',
  deviceApprovedHeading: 'Your device is connected',
  /** Follows the (linked) client name. */
  deviceApprovedBody: ' can now access your account. Return to your device; you can close this window.',
  deviceDeniedHeading: 'Access denied',
  deviceDeniedBody: ' was not given access to your account. You can close this window.',

  // form post
  formPostTitle: 'Continue',
  formPostBody: 'Select Continue to return to the application.',
  formPostContinue: 'Continue',
  // account self-service (docs/account.md)
  ...accountEn,

  // multi-factor pages (mfa-messages.ts)
  mfa: mfaEn,
};

/** The message table every locale provides. */
export type Messages = typeof en;
