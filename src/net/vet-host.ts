/**
 * SSRF protection: the host of a URL is resolved once, every address it
 * resolves to is checked against the policy, and the connection then goes to
 * those vetted addresses (a `lookup` that answers them without asking DNS
 * again), so a name that changes its answer between check and connect (DNS
 * rebinding) cannot lead anywhere else.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { OutboundError } from './outbound-error.js';
import { addressVerdict, type OutboundPolicy, type Resolver } from './outbound-policy.js';

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** The host as an IP literal (IPv6 without brackets), or undefined for a host name. */
function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}

/**
 * The addresses a request to `url` may connect to: the literal address, or
 * every address the host name resolves to, each allowed by `policy`. Throws
 * {@link OutboundError} `address_not_allowed` when ANY address is refused,
 * `network` when the name does not resolve.
 */
export async function vetHost(url: URL, policy: OutboundPolicy): Promise<LookupAddress[]> {
  const literal = literalAddress(url.hostname);
  let addresses: LookupAddress[];
  if (literal) {
    addresses = [{ address: literal, family: isIP(literal) }];
  } else {
    try {
      addresses = (await (policy.resolve ?? systemResolver)(url.hostname)).map((a) => ({ address: a.address, family: a.family }));
    } catch (err) {
      throw new OutboundError('network', `${url.hostname} does not resolve`, { cause: err });
    }
    if (addresses.length === 0) throw new OutboundError('network', `${url.hostname} does not resolve`);
  }
  for (const a of addresses) {
    const verdict = addressVerdict(policy, a.address);
    if (!verdict.ok) {
      const via = literal ? '' : ` (${url.hostname} resolves to it)`;
      throw new OutboundError('address_not_allowed', `${verdict.cls} address ${a.address}${via} is not allowed`);
    }
  }
  return addresses;
}

/**
 * A `lookup` for node:net that answers only the vetted addresses, for the
 * one host name they were vetted for.
 */
export function pinnedLookup(hostname: string, vetted: LookupAddress[]): LookupFunction {
  return (name, options, callback) => {
    const asked: unknown = typeof options === 'object' && options ? options.family : undefined;
    const family = asked === 'IPv4' ? 4 : asked === 'IPv6' ? 6 : asked;
    const wanted = family === 4 || family === 6 ? vetted.filter((a) => a.family === family) : vetted;
    if (name !== hostname || wanted.length === 0) {
      const err = Object.assign(new Error(`lookup of ${name} was not vetted`), { code: 'ENOTFOUND' });
      callback(err, '', 0);
      return;
    }
    if (typeof options === 'object' && options?.all) {
      (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, wanted);
    } else {
      callback(null, wanted[0].address, wanted[0].family);
    }
  };
}
