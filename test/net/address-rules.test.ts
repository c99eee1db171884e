/**
 * The address classes behind the SSRF rules, after the IANA special-purpose
 * registries: every refused range, the IPv6 forms that carry an IPv4
 * address, and public addresses on both sides of the range edges.
 */
import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../src/net/address-rules.js';
import { addressVerdict, loopbackPolicy, strictPolicy, trustedPolicy } from '../../src/net/outbound-policy.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['0.1.2.3', 'reserved'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fec0::1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.88.99.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'], // Teredo
    ['2001:2::1', 'reserved'], // benchmarking
    ['100::1', 'reserved'], // discard-only
    ['::127.0.0.1', 'reserved'], // IPv4-compatible (deprecated)
    ['::ffff:0:0:1', 'reserved'], // IPv4-translated
    ['64:ff9b:1::1', 'private'], // local-use NAT64
    // IPv6 forms carrying an IPv4 address are classified by that address.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2002:808:808::1', 'public'],
    // Public, including the neighbours of refused ranges.
    ['8.8.8.8', 'public'],
    ['9.255.255.255', 'public'],
    ['11.0.0.0', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.0', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.0', 'public'],
    ['126.255.255.255', 'public'],
    ['128.0.0.0', 'public'],
    ['223.255.255.255', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['2001:200::1', 'public'],
    // Not addresses.
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['fe80::1%eth0', 'invalid'],
    ['1.2.3.4.5', 'invalid'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });
});

describe('addressVerdict', () => {
  it('strict allows public addresses only; private ones when configured, never loopback or link-local', () => {
    expect(addressVerdict(strictPolicy(), '8.8.8.8').ok).toBe(true);
    expect(addressVerdict(strictPolicy(), '10.0.0.1')).toEqual({ ok: false, cls: 'private' });
    expect(addressVerdict(strictPolicy(), '127.0.0.1')).toEqual({ ok: false, cls: 'loopback' });
    const intranet = strictPolicy({ timeout: 5000, maxBytes: 1024, allowPrivateNetworks: true });
    expect(addressVerdict(intranet, '10.0.0.1').ok).toBe(true);
    expect(addressVerdict(intranet, '100.64.0.1').ok).toBe(true);
    expect(addressVerdict(intranet, 'fd00::1').ok).toBe(true);
    expect(addressVerdict(intranet, '127.0.0.1').ok).toBe(false);
    expect(addressVerdict(intranet, '169.254.169.254').ok).toBe(false);
  });

  it('loopback adds loopback only; trusted allows every address', () => {
    expect(addressVerdict(loopbackPolicy(), '127.0.0.1').ok).toBe(true);
    expect(addressVerdict(loopbackPolicy(), '::ffff:127.0.0.1').ok).toBe(true);
    expect(addressVerdict(loopbackPolicy(), '0.0.0.0').ok).toBe(false);
    expect(addressVerdict(loopbackPolicy(), '192.168.0.1').ok).toBe(false);
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '0.0.0.0']) expect(addressVerdict(trustedPolicy(), a).ok).toBe(true);
    expect(addressVerdict(trustedPolicy(), 'not-an-address').ok).toBe(false);
  });
});
