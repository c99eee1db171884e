/**
 * How a user authenticated: `amr` (RFC 8176 Authentication Method Reference
 * values) as a list each login step appends to, and the `acr` (OIDC Core §2)
 * that the configured mapping (`authentication.acr`) gives those methods.
 */
import type { Config } from '../config/schema.js';

/** The part of the configuration the acr mapping reads. */
export type AcrSettings = { authentication: Pick<Config['authentication'], 'acr'> };

/** RFC 8176 §2 values by factor (§2 "mfa": more than one factor). */
const FACTOR: Readonly<Record<string, 'knowledge' | 'possession' | 'inherence'>> = {
  pwd: 'knowledge',
  pin: 'knowledge',
  kba: 'knowledge',
  otp: 'possession',
  hwk: 'possession',
  swk: 'possession',
  sms: 'possession',
  tel: 'possession',
  sc: 'possession',
  fpt: 'inherence',
  face: 'inherence',
  iris: 'inherence',
  retina: 'inherence',
  vbm: 'inherence',
  bio: 'inherence',
};

/**
 * The methods after one more login step: `method` appended once, and `mfa`
 * (RFC 8176 §2) once the methods span more than one factor.
 *
 * @example
 * withMethod(['pwd'], 'otp') // ['pwd', 'otp', 'mfa']
 */
export function withMethod(amr: readonly string[], method: string): string[] {
  const methods = amr.filter((m) => m !== 'mfa');
  if (method !== 'mfa' && !methods.includes(method)) methods.push(method);
  const factors = new Set(methods.map((m) => FACTOR[m]).filter((f) => f !== undefined));
  return amr.includes('mfa') || method === 'mfa' || factors.size > 1 ? [...methods, 'mfa'] : methods;
}

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
