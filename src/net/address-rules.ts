/**
 * What kind of address an IP literal is, after the IANA IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890 and its updates). IPv6 forms
 * that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) are classified by the IPv4 address they carry, so
 * `[::ffff:127.0.0.1]` is loopback like 127.0.0.1.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  /** RFC 1918, fc00::/7 unique local, fec0::/10 site-local, 64:ff9b:1::/48 local NAT64. */
  | 'private'
  /** 100.64.0.0/10, carrier-grade NAT (RFC 6598). */
  | 'shared'
  /** 169.254.0.0/16 and fe80::/10: cloud metadata services live here. */
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  /** 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20. */
  | 'documentation'
  /** Everything else that is not globally reachable unicast (this-network, benchmarking, protocol assignments, 240/4, ...). */
  | 'reserved'
  /** Not an IP address. */
  | 'invalid';

type Rule = [prefix: number[], bits: number, cls: AddressClass];

// Ordered: the first matching prefix wins (more specific first).
const IPV4_RULES: Rule[] = [
  [[0, 0, 0, 0], 32, 'unspecified'],
  [[0], 8, 'reserved'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'shared'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'],
  [[192, 0, 2], 24, 'documentation'],
  [[192, 88, 99], 24, 'reserved'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'],
  [[198, 51, 100], 24, 'documentation'],
  [[203, 0, 113], 24, 'documentation'],
  [[224], 4, 'multicast'],
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[240], 4, 'reserved'],
];

const IPV6_RULES: Rule[] = [
  [[], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x3f, 0xff, 0x00], 20, 'documentation'],
  // IETF protocol assignments, Teredo (2001::/32), benchmarking (2001:2::/48), ORCHID.
  [[0x20, 0x01, 0x00], 23, 'reserved'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'private'],
  [[0xfc], 7, 'private'],
  [[0xfe, 0xc0], 10, 'private'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xff], 8, 'multicast'],
];

function matches(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte] & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIPv4(s: string): Uint8Array | undefined {
  if (!isIPv4(s)) return undefined;
  return Uint8Array.from(s.split('.').map(Number));
}

/** The 16 bytes of an IPv6 literal (with or without brackets, with a trailing dotted quad). */
export function parseIPv6(input: string): Uint8Array | undefined {
  const s = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (!isIPv6(s) || s.includes('%')) return undefined;
  let head = s;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
    tail.push(...v4);
  }
  const [left, right] = head.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = groups(right);
  const all = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  if (all.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  if (tail.length) bytes.set(tail, 12);
  return bytes;
}

function classifyIPv4Bytes(b: Uint8Array): AddressClass {
  for (const [prefix, bits, cls] of IPV4_RULES) if (matches(b, prefix, bits)) return cls;
  return 'public';
}

function classifyIPv6Bytes(b: Uint8Array): AddressClass {
  // Forms that carry an IPv4 address are as good as that address.
  if (matches(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return classifyIPv4Bytes(b.subarray(12)); // IPv4-mapped
  if (matches(b, [0x00, 0x64, 0xff, 0x9b], 96)) return classifyIPv4Bytes(b.subarray(12)); // NAT64 well-known prefix
  if (matches(b, [0x20, 0x02], 16)) return classifyIPv4Bytes(b.subarray(2, 6)); // 6to4
  for (const [prefix, bits, cls] of IPV6_RULES) if (matches(b, prefix, bits)) return cls;
  // Global unicast is 2000::/3; the rest (IPv4-compatible ::/96, discard 100::/64, ...) is not for us.
  return matches(b, [0x20], 3) ? 'public' : 'reserved';
}

/**
 * The class of an IP literal: dotted-quad IPv4, or IPv6 with or without
 * brackets. Anything else (including a zone index) is `invalid`.
 *
 * @example
 * classifyAddress('169.254.169.254'); // 'link-local'
 * classifyAddress('[::ffff:7f00:1]'); // 'loopback'
 */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseIPv4(address);
  if (v4) return classifyIPv4Bytes(v4);
  const v6 = parseIPv6(address);
  return v6 ? classifyIPv6Bytes(v6) : 'invalid';
}
