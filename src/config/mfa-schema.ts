/**
 * Configuration of multi-factor and passwordless sign-in (docs/mfa.md): the
 * provider-wide `mfa` section, the client field `requireMfa` and the test
 * user fields `mfaRequired` and `totpSecret`.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

/** The acr value of a sign-in with a second factor (OpenID PAPE 1.0 §4 "Multi-Factor" policy URI), default of `mfa.acr`. */
export const PAPE_MULTI_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

const duration = z.number().int().nonnegative();

export const mfaSchema = z.object({
  /** Offer TOTP, recovery codes and passkeys (the sign-in's second-factor page and the account security page). */
  enabled: z.boolean().default(true),
  /**
   * The `acr` of a sign-in with two factors; an authorization request whose
   * `acr_values` include it asks for a second factor even on an existing session (step-up).
   */
  acr: z.string().min(1).max(256).default(PAPE_MULTI_FACTOR),
  totp: z
    .object({
      /** Issuer shown by authenticator apps; default `ui.productName`. */
      issuer: z.string().min(1).max(64).optional(),
      /** Steps (30 s each) accepted before and after the current one (RFC 6238 §5.2). */
      window: z.number().int().min(0).max(2).default(1),
    })
    .default({ window: 1 }),
  webauthn: z
    .object({
      /** Relying party name shown by the authenticator; default `ui.productName`. */
      rpName: z.string().min(1).max(64).optional(),
      /** Relying party id (a registrable domain suffix of the issuer's host); default the issuer's host name. */
      rpId: z.string().min(1).max(253).optional(),
      /** Origins accepted in client data; default the issuer's origin. */
      origins: z.array(z.url()).optional(),
      /** WebAuthn §5.4.6 attestation conveyance; `none` keeps authenticators' make and model private. */
      attestation: z.enum(['none', 'direct']).default('none'),
      /** WebAuthn §5.8.6 user verification requested of the authenticator. */
      userVerification: z.enum(['required', 'preferred', 'discouraged']).default('preferred'),
      /** Seconds a WebAuthn challenge is valid. */
      challengeLifetime: duration.min(30).max(900).default(300),
    })
    .default({ attestation: 'none', userVerification: 'preferred', challengeLifetime: 300 }),
  rememberDevice: z
    .object({
      /** Offer "remember this device": the user's own second-factor requirement is skipped on it (not a client's or an acr request's). */
      enabled: z.boolean().default(false),
      /** Seconds a remembered device skips the second factor. */
      lifetime: duration.min(60).default(2592000),
    })
    .default({ enabled: false, lifetime: 2592000 }),
});

export type MfaConfig = ZodOutput<typeof mfaSchema>;

/** Client fields: the client's sign-ins need a second factor. */
export const mfaClientFields = {
  /** Every sign-in for this client needs a second factor (a user without one sets up TOTP on the way). */
  requireMfa: z.boolean().default(false),
};

/** Test user fields. */
export const mfaTestUserFields = {
  /** This user must sign in with a second factor (and sets one up at the next sign-in if none). */
  mfaRequired: z.boolean().default(false),
  /**
   * DEMO AND TESTS ONLY: a base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s) this user has
   * enrolled from the start. The secret is in the configuration file in clear: never for real accounts.
   */
  totpSecret: z
    .string()
    .regex(/^[A-Z2-7]{16,128}=*$/, 'must be base32 (A-Z, 2-7), at least 16 characters')
    .optional(),
};
