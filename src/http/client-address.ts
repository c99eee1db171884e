/**
 * The client's address, for rate limits, the login lockout and the access
 * log. Without `server.trustProxy` it is the peer address (the socket's, or
 * what a fetch host passes). Behind reverse proxies it is read from the
 * proxies' header (`X-Forwarded-For`, or RFC 7239 `Forwarded: for=`), walking
 * from the peer towards the client and stopping at the first address that is
 * not a trusted proxy: entries left of it could be written by anyone.
 *
 * Only the address is taken from proxies. URLs and the scheme always come
 * from the configured issuer (DESIGN.md "HTTP and UI"), so `X-Forwarded-Proto`,
 * `Forwarded: proto=` and `X-Forwarded-Host` are never read.
 */
import { BlockList, isIP } from 'node:net';
import { parseCidr } from '../config/cidr.js';

/** `server.trustProxy` when on (config/schema.ts). */
export interface TrustProxy {
  /** Proxies in front of the server: the peer and the `hops - 1` nearest header entries are trusted. */
  hops?: number;
  /** Only proxies at these addresses (CIDR or single address, IPv4 or IPv6) are trusted. */
  cidrs?: string[];
  /** The header the trusted proxies write. */
  header: 'x-forwarded-for' | 'forwarded';
}

/** Resolves the client address from the peer address and the request headers. */
export type ClientAddressResolver = (peer: string | undefined, headers: Readonly<Record<string, string | undefined>>) => string | undefined;

const MAX_ENTRIES = 32;

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is `192.0.2.1`. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined || address === '') return undefined;
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  return address;
}

/** One address of a proxy header: bare, with a port (`192.0.2.1:4711`), or bracketed IPv6 (`[2001:db8::1]:4711`). */
function entryAddress(raw: string): string | undefined {
  const v = raw.trim();
  if (isIP(v)) return normalizeAddress(v);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(v);
  if (bracketed && isIP(bracketed[1]) === 6) return normalizeAddress(bracketed[1]);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(v);
  if (withPort && isIP(withPort[1]) === 4) return withPort[1];
  return undefined; // "unknown", an obfuscated identifier (RFC 7239 §6.3) or garbage
}

/** Splits on `sep` outside quoted strings. */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** RFC 7239 §4: the `for=` value of each forwarded-element, in order; undefined where missing or not an address. */
function forwardedFor(header: string): (string | undefined)[] {
  return splitOutsideQuotes(header, ',').map((element) => {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      let value = pair.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      return entryAddress(value);
    }
    return undefined;
  });
}

/** A test of the peer (the nearest hop) against `trust`: the only hop whose headers can be believed. */
export function isTrustedPeer(trust: TrustProxy): (peer: string | undefined) => boolean {
  const list = trust.cidrs ? blockListOf(trust.cidrs) : undefined;
  return (peer) => {
    const address = normalizeAddress(peer);
    if (!list) return true; // hops >= 1: the peer is the nearest proxy
    return address !== undefined && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const cidr = parseCidr(c);
    if (!cidr) throw new Error(`server.trustProxy.cidrs: ${c} is not an address or CIDR`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

/**
 * Creates the resolver of one provider.
 *
 * @example
 * const resolve = createClientAddressResolver({ cidrs: ['10.0.0.0/8'], header: 'x-forwarded-for' });
 * resolve('10.1.2.3', { 'x-forwarded-for': '198.51.100.7, 10.9.9.9' }); // '198.51.100.7'
 * resolve('203.0.113.5', { 'x-forwarded-for': '198.51.100.7' });       // '203.0.113.5' (not a trusted proxy)
 */
export function createClientAddressResolver(trust: TrustProxy | false): ClientAddressResolver {
  if (!trust) return (peer) => normalizeAddress(peer);
  const list = trust.cidrs ? blockListOf(trust.cidrs) : undefined;
  const hops = trust.hops;
  /** Is hop `i` (0: the peer) a trusted proxy? With both settings it must satisfy both. */
  const trusted = (i: number, address: string | undefined): boolean => {
    if (hops !== undefined && i >= hops) return false;
    if (!list) return true;
    return address !== undefined && list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  };
  return (peer, headers) => {
    const nearest = normalizeAddress(peer);
    if (!trusted(0, nearest)) return nearest;
    const header = headers[trust.header];
    if (!header) return nearest;
    const chain = trust.header === 'forwarded' ? forwardedFor(header) : header.split(',').map(entryAddress);
    // Walk from the right (nearest proxy) towards the client.
    let current = nearest;
    for (let i = 1; i <= Math.min(chain.length, MAX_ENTRIES); i++) {
      const next = chain[chain.length - i];
      // A trusted proxy that names no usable address: its own address is what is known.
      if (next === undefined) return current;
      if (!trusted(i, next)) return next;
      current = next;
    }
    return current;
  };
}
