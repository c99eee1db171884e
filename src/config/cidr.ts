/** Address ranges in configuration (`server.trustProxy.cidrs`). */
import { isIP } from 'node:net';

/**
 * Parses a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address; undefined when invalid.
 *
 * @example parseCidr('10.0.0.0/8'); // { address: '10.0.0.0', prefix: 8, family: 'ipv4' }
 */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}
