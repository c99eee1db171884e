/**
 * When a sign-in needs a second factor, and what its methods (`amr`, RFC
 * 8176 §2) make of it: the acr of a multi-factor sign-in (`mfa.acr`) and the
 * step-up rule of the authorize flow.
 */
import type { Config } from '../config/schema.js';

/** RFC 8176 §2 values that stand for a second factor beside a password. */
const SECOND_FACTOR_AMR = new Set(['otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'pin']);

/** Whether a sign-in with these methods used more than one factor (RFC 8176 `mfa`, or a password plus a second factor). */
export function isMultiFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  return amr.includes('mfa') || (amr.includes('pwd') && amr.some((m) => SECOND_FACTOR_AMR.has(m)));
}

/** The authorization request asks for a multi-factor sign-in: its `acr_values` (OIDC Core §3.1.2.1) include `mfa.acr`. */
export const acrAsksForMfa = (config: Pick<Config, 'mfa'>, acrValues: readonly string[] | undefined): boolean =>
  config.mfa.enabled && Boolean(acrValues?.includes(config.mfa.acr));

/**
 * Step-up (OIDC Core §3.1.2.1 acr_values, §5.5.1.1): the session's sign-in was
 * single-factor but the client or the request needs two factors, so the user
 * is asked again (for the second factor only, on the login page).
 */
export function needsStepUp(
  config: Pick<Config, 'mfa'>,
  client: { requireMfa?: boolean },
  acrValues: readonly string[] | undefined,
  sessionAmr: readonly string[] | undefined,
): boolean {
  if (!config.mfa.enabled || isMultiFactor(sessionAmr)) return false;
  return Boolean(client.requireMfa) || acrAsksForMfa(config, acrValues);
}

/** The acr to record for a sign-in with these methods: `mfa.acr` when multi-factor, else none (left to the caller's mapping). */
export const acrOfSignIn = (config: Pick<Config, 'mfa'>, amr: readonly string[]): string | undefined =>
  config.mfa.enabled && isMultiFactor(amr) ? config.mfa.acr : undefined;
