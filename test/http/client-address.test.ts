/**
 * The client's address behind reverse proxies (server.trustProxy, issue 12
 * §2.1): read from X-Forwarded-For or Forwarded only across trusted hops,
 * for rate limits, the login lockout and the access log; through the node
 * handler with forged headers from trusted and untrusted sockets (distinct
 * loopback addresses), and through the fetch handler with the host's address.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createClientAddressResolver } from '../../src/http/client-address.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { loginFormFrom, postLoginFrom, requestFrom } from '../helpers/from-address.js';
import { FORM } from '../interaction/interaction-helpers.js';

const PROXY = '127.0.0.1';
const OTHER = '127.0.0.2'; // a client reaching the server directly, not through the proxy

const token = (url: string, from: string, headers: Record<string, string> = {}) =>
  requestFrom(`${url}/connect/token`, {
    method: 'POST',
    from,
    headers: { authorization: basic('m2m', 'secret'), ...FORM, ...headers },
    body: 'grant_type=client_credentials&scope=api',
  });

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

describe('resolving the client address', () => {
  const xff = (v: string) => ({ 'x-forwarded-for': v });
  it('without trustProxy: the peer, whatever the headers say', () => {
    const r = createClientAddressResolver(false);
    expect(r('203.0.113.1', xff('198.51.100.1'))).toBe('203.0.113.1');
    expect(r('::ffff:203.0.113.1', {})).toBe('203.0.113.1');
    expect(r(undefined, xff('198.51.100.1'))).toBeUndefined();
  });

  it('cidrs: walks from the right and stops at the first untrusted address', () => {
    const r = createClientAddressResolver({ cidrs: ['10.0.0.0/8', 'fd00::/8'], header: 'x-forwarded-for' });
    expect(r('10.0.0.1', xff('198.51.100.1'))).toBe('198.51.100.1');
    expect(r('10.0.0.1', xff('forged, 192.0.2.9, 198.51.100.1, 10.2.2.2'))).toBe('198.51.100.1');
    expect(r('::ffff:10.0.0.1', xff('198.51.100.1:4711'))).toBe('198.51.100.1');
    expect(r('fd00::1', xff('[2001:db8::7]:443'))).toBe('2001:db8::7');
    expect(r('203.0.113.5', xff('198.51.100.1'))).toBe('203.0.113.5'); // peer not a trusted proxy
    expect(r('10.0.0.1', xff('unknown'))).toBe('10.0.0.1'); // the proxy names no address: its own
    expect(r('10.0.0.1', xff('10.1.1.1, 10.2.2.2'))).toBe('10.1.1.1'); // all trusted: the farthest
    expect(r('10.0.0.1', {})).toBe('10.0.0.1');
    expect(r(undefined, xff('198.51.100.1'))).toBeUndefined(); // unknown peer is not in any range
  });

  it('hops: the peer and hops - 1 header entries are proxies; with cidrs a hop must satisfy both', () => {
    const one = createClientAddressResolver({ hops: 1, header: 'x-forwarded-for' });
    expect(one('203.0.113.5', xff('forged, 198.51.100.1'))).toBe('198.51.100.1');
    expect(one(undefined, xff('198.51.100.1'))).toBe('198.51.100.1'); // a fetch host behind one proxy
    const two = createClientAddressResolver({ hops: 2, header: 'x-forwarded-for' });
    expect(two('203.0.113.5', xff('forged, 198.51.100.1, 10.0.0.3'))).toBe('198.51.100.1');
    const both = createClientAddressResolver({ hops: 2, cidrs: ['10.0.0.0/8'], header: 'x-forwarded-for' });
    expect(both('10.0.0.1', xff('198.51.100.1, 10.0.0.3'))).toBe('198.51.100.1');
    expect(both('10.0.0.1', xff('198.51.100.1, 192.0.2.3'))).toBe('192.0.2.3'); // second hop outside the ranges
    expect(both('10.0.0.1', xff('198.51.100.1, 10.9.9.9, 10.0.0.3'))).toBe('10.9.9.9'); // third hop beyond the count
  });

  it('RFC 7239 Forwarded: for= with quoting, IPv6 brackets and ports; X-Forwarded-For is then ignored', () => {
    const r = createClientAddressResolver({ cidrs: ['10.0.0.0/8'], header: 'forwarded' });
    const fwd = (v: string) => ({ forwarded: v, 'x-forwarded-for': '192.0.2.66' });
    expect(r('10.0.0.1', fwd('for=198.51.100.1;proto=https;by=10.0.0.1'))).toBe('198.51.100.1');
    expect(r('10.0.0.1', fwd('for=192.0.2.43, for="[2001:db8:cafe::17]:4711"'))).toBe('2001:db8:cafe::17');
    expect(r('10.0.0.1', fwd('For="198.51.100.2:80", for=10.0.0.2'))).toBe('198.51.100.2');
    expect(r('10.0.0.1', fwd('for=_hidden'))).toBe('10.0.0.1');
    expect(r('10.0.0.1', fwd('proto=https'))).toBe('10.0.0.1');
    expect(r('10.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).toBe('10.0.0.1'); // the other header is not read
  });

  it('refuses bad settings with their path', () => {
    const bad = (trustProxy: unknown) => () => parseConfig({ server: { trustProxy } });
    expect(bad({ cidrs: ['10.0.0.0/33'] })).toThrow(/server\.trustProxy\.cidrs\[0\]/);
    expect(bad({ cidrs: ['example.com'] })).toThrow(/server\.trustProxy\.cidrs\[0\]/);
    expect(bad({})).toThrow(/server\.trustProxy/);
    expect(bad(true)).toThrow(/server\.trustProxy/);
    expect(parseConfig({ server: { trustProxy: { hops: 1 } } }).config.server.trustProxy).toEqual({ hops: 1, header: 'x-forwarded-for' });
    expect(parseConfig({}).config.server.trustProxy).toBe(false);
  });
});

describe('node handler behind a trusted proxy (127.0.0.1/32)', () => {
  let s: TestServer;
  const log = logSink();
  beforeAll(async () => {
    s = await startTestServer({
      mutate: (c) => {
        c.server = { ...c.server, trustProxy: { cidrs: [`${PROXY}/32`] }, accessLog: true };
        c.rateLimits = { tokenPerIp: 2, tokenPerClient: 0, loginPerIp: 0 };
      },
      options: { logger: log.logger },
    });
  });
  afterAll(() => s.close());

  it('counts per forwarded client: two clients behind the proxy have their own budgets', async () => {
    for (let i = 0; i < 2; i++) expect((await token(s.url, PROXY, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await token(s.url, PROXY, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
    expect((await token(s.url, PROXY, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // A client that prepends a forged entry is still the address the proxy saw.
    expect((await token(s.url, PROXY, { 'x-forwarded-for': '203.0.113.99, 198.51.100.1' })).status).toBe(429);
  });

  it('ignores forged headers from an untrusted socket: the socket address is counted', async () => {
    expect((await token(s.url, OTHER, { 'x-forwarded-for': '198.51.100.10' })).status).toBe(200);
    expect((await token(s.url, OTHER, { 'x-forwarded-for': '198.51.100.11', forwarded: 'for=198.51.100.12' })).status).toBe(200);
    const refused = await token(s.url, OTHER, { 'x-forwarded-for': '198.51.100.13' });
    expect(refused.status).toBe(429);
  });

  it('logs the client address in the access log', async () => {
    await requestFrom(`${s.url}/.well-known/openid-configuration`, {
      from: PROXY,
      headers: { 'x-forwarded-for': '198.51.100.77', 'x-request-id': 'via-proxy' },
    });
    await requestFrom(`${s.url}/.well-known/openid-configuration`, { from: OTHER, headers: { 'x-forwarded-for': '198.51.100.78', 'x-request-id': 'direct' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(log.lines.find((l) => l.requestId === 'via-proxy')).toMatchObject({ ip: '198.51.100.77' });
    expect(log.lines.find((l) => l.requestId === 'direct')).toMatchObject({ ip: OTHER });
  });

  it('the login lockout holds back the forwarded attacker, not the owner behind the same proxy', async () => {
    const attacker = { 'x-forwarded-for': '198.51.100.50' };
    const owner = { 'x-forwarded-for': '198.51.100.51' };
    const f = await loginFormFrom(s.url, PROXY, attacker);
    for (let i = 0; i < 5; i++) await postLoginFrom(f, PROXY, 'alice', `guess-${i}`, attacker);
    expect((await postLoginFrom(f, PROXY, 'alice', 'alice', attacker)).body).toMatch(/Try again in/);
    const g = await loginFormFrom(s.url, PROXY, owner);
    expect((await postLoginFrom(g, PROXY, 'alice', 'alice', owner)).status).toBe(303);
  });
});

describe('fetch handler', () => {
  const init = (): RequestInit => ({
    method: 'POST',
    headers: { authorization: basic('m2m', 'secret'), ...FORM },
    body: 'grant_type=client_credentials&scope=api',
  });

  it('takes the client address from the host (options.clientAddress) and limits per address', async () => {
    const s = await startTestServer({
      mutate: (c) => (c.rateLimits = { tokenPerIp: 2, tokenPerClient: 0 }),
      options: { clientAddress: (_req, info) => (info as { remote: string }).remote },
    });
    try {
      const call = (remote: string) => s.gh.fetch(new Request(`${s.url}/connect/token`, init()), { remote });
      expect((await call('203.0.113.1')).status).toBe(200);
      expect((await call('203.0.113.1')).status).toBe(200);
      const refused = await call('203.0.113.1');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call('203.0.113.2')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('behind one proxy (trustProxy.hops) reads the forwarded address without a host function', async () => {
    const s = await startTestServer({
      mutate: (c) => {
        c.server = { ...c.server, trustProxy: { hops: 1 } };
        c.rateLimits = { tokenPerIp: 1, tokenPerClient: 0 };
      },
    });
    try {
      const call = (client: string) =>
        s.gh.fetch(
          new Request(`${s.url}/connect/token`, {
            ...init(),
            headers: { ...(init().headers as Record<string, string>), 'x-forwarded-for': `203.0.113.250, ${client}` },
          }),
        );
      expect((await call('198.51.100.1')).status).toBe(200);
      expect((await call('198.51.100.1')).status).toBe(429);
      expect((await call('198.51.100.2')).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('warns once, at its first request, when it has no address source', async () => {
    const log = logSink();
    const s = await startTestServer({ mutate: (c) => (c.rateLimits = { tokenPerIp: 1 }), options: { logger: log.logger } });
    try {
      for (let i = 0; i < 3; i++) expect((await s.gh.fetch(new Request(`${s.url}/connect/token`, init()))).status).toBe(200); // no address: nothing to count
      await new Promise((r) => setTimeout(r, 20));
      const warnings = log.lines.filter((l) => String(l.msg).includes('cannot know client addresses'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, settings: expect.arrayContaining(['rateLimits.tokenPerIp']) });
    } finally {
      await s.close();
    }
  });
});
