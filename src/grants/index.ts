import type { GrantHandler } from '../context.js';
import { authorizationCodeGrant } from './authorization-code-grant.js';
import { cibaGrant } from './ciba-grant.js';
import { clientCredentialsGrant } from './client-credentials-grant.js';
import { deviceCodeGrant } from './device-code-grant.js';
import { passwordGrant } from './password-grant.js';
import { refreshTokenGrant } from './refresh-token-grant.js';
import { tokenExchangeGrant } from './token-exchange-grant.js';

/** The grants built into Gatehouse; registered through the same `registerGrant` users call. */
export const builtInGrants: readonly GrantHandler[] = [
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  passwordGrant,
  cibaGrant,
  deviceCodeGrant,
  tokenExchangeGrant,
];
