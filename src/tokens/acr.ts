/**
 * The `acr` (OIDC Core §2) of an authentication: the configured mapping
 * (`authentication.acr`) from its methods (`amr`, RFC 8176) to an acr value.
 * Used where a sign-in starts a session and by the token service for grants
 * that authenticate without one (password, extension grants).
 */
import type { Config } from '../config/schema.js';

/** The part of the configuration the acr mapping reads. */
export type AcrSettings = { authentication: Pick<Config['authentication'], 'acr'> };

/**
 * The acr of a sign-in with these methods: the first `authentication.acr.rules`
 * entry whose `amr` are all among them, else `authentication.acr.default`,
 * else undefined (no acr claim).
 *
 * @example
 * // rules: [{ amr: ['pwd', 'otp'], acr: 'urn:example:mfa' }], default: 'urn:example:pwd'
 * acrFor(config, ['pwd']) // 'urn:example:pwd'
 */
export function acrFor(config: AcrSettings, amr: readonly string[]): string | undefined {
  const { rules, default: fallback } = config.authentication.acr;
  return rules.find((r) => r.amr.every((m) => amr.includes(m)))?.acr ?? fallback;
}

/** The acr values the configuration can give (discovery `acr_values_supported`), in rule order. */
export function supportedAcrValues(config: AcrSettings): string[] {
  const { rules, default: fallback } = config.authentication.acr;
  return [...new Set([...rules.map((r) => r.acr), ...(fallback !== undefined ? [fallback] : [])])];
}
