/**
 * How a user authenticated: `amr` (RFC 8176 Authentication Method Reference
 * values) as a list each login step appends to. The `acr` those methods give
 * (the configured mapping) is built with the other token claims, in tokens/acr.ts.
 */
export { acrFor, supportedAcrValues, type AcrSettings } from '../tokens/acr.js';

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
