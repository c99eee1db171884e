/**
 * SSRF protection against real servers on loopback: under the strict policy
 * a host name that resolves to loopback, and loopback/unspecified literals in
 * every spelling URL parsing leaves, are refused before any connection; the
 * loopback and trusted policies reach the same servers; a host name with ANY
 * refused address is refused; and a resolver that changes its answer between
 * check and connect (DNS rebinding) cannot move the connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundFetch, loopbackPolicy, OutboundError, strictPolicy, trustedPolicy, type OutboundPolicy, type Resolver } from '../../src/net/index.js';
import { pinnedLookup, vetHost } from '../../src/net/vet-host.js';
import { startServer, type CountingServer } from './servers.js';

let v4: CountingServer;
let v6: CountingServer;

beforeAll(async () => {
  const ok = (_req: unknown, res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  v4 = await startServer(ok);
  v6 = await startServer(ok, { host: '::1', port: v4.port }).catch(() => startServer(ok, { host: '::1' }));
});

afterAll(async () => {
  await v4.close();
  await v6.close();
});

const hits = () => v4.hits.length + v6.hits.length;

/** Host spellings that all mean this machine; `loopback` says whether the loopback policy may reach it. */
function spellings(): Array<[url: string, loopback: boolean]> {
  const p = v4.port;
  return [
    [`http://localhost:${p}/`, true],
    [`http://127.0.0.1:${p}/`, true],
    [`http://[::1]:${v6.port}/`, true],
    [`http://[::ffff:127.0.0.1]:${p}/`, true],
    [`http://[0:0:0:0:0:ffff:7f00:1]:${p}/`, true],
    [`http://2130706433:${p}/`, true], // decimal
    [`http://0177.0.0.1:${p}/`, true], // octal
    [`http://0x7f.1:${p}/`, true], // hex, short form
    [`http://127.1:${p}/`, true],
    [`http://0.0.0.0:${p}/`, false], // unspecified: connects to this machine on Linux
    [`http://0:${p}/`, false],
    [`http://[::]:${v6.port}/`, false],
  ];
}

// http is allowed here so that the address rules, not the scheme, decide.
const withHttp = (p: OutboundPolicy): OutboundPolicy => ({ ...p, allowHttp: true, timeoutMs: 2000 });

async function refusal(p: Promise<unknown>): Promise<OutboundError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutboundError);
  return err as OutboundError;
}

describe('outbound client: address rules', () => {
  it('URL parsing normalises the numeric spellings to the literal that is checked', () => {
    expect(new URL(`http://2130706433/`).hostname).toBe('127.0.0.1');
    expect(new URL(`http://0177.0.0.1/`).hostname).toBe('127.0.0.1');
    expect(new URL(`http://[::ffff:127.0.0.1]/`).hostname).toBe('[::ffff:7f00:1]');
  });

  it('the strict policy refuses every loopback and unspecified spelling without connecting', async () => {
    const out = createOutboundFetch(withHttp(strictPolicy()));
    for (const [url] of [...spellings(), [`http://127.9.9.9:${v4.port}/`], [`http://[64:ff9b::7f00:1]:${v4.port}/`], [`http://[2002:7f00:1::1]:${v4.port}/`]]) {
      const err = await refusal(out(url));
      expect([url, err.reason]).toEqual([url, 'address_not_allowed']);
    }
    expect(hits()).toBe(0);
  });

  it('the loopback policy reaches loopback but still refuses the unspecified address', async () => {
    const out = createOutboundFetch(withHttp(loopbackPolicy()));
    for (const [url, loopback] of spellings()) {
      if (loopback) expect([url, await out.json(url)]).toEqual([url, { ok: true }]);
      else expect([url, (await refusal(out(url))).reason]).toEqual([url, 'address_not_allowed']);
    }
  });

  it('the trusted policy reaches every spelling (operator-configured URLs)', async () => {
    const out = createOutboundFetch(withHttp(trustedPolicy()));
    for (const [url] of spellings()) expect([url, await out.json(url)]).toEqual([url, { ok: true }]);
  });

  it('checks the addresses a host name resolves to, and refuses when ANY of them is not allowed', async () => {
    const before = hits();
    const answers: Record<string, string[]> = {
      'intranet.example': ['10.1.2.3'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['8.8.8.8', '127.0.0.1'],
      'mixed6.example': ['2606:4700:4700::1111', '::ffff:127.0.0.1'],
    };
    const resolve: Resolver = async (host) => (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const out = createOutboundFetch({ ...withHttp(strictPolicy()), resolve });
    for (const host of Object.keys(answers)) {
      const err = await refusal(out(`http://${host}:${v4.port}/`));
      expect([host, err.reason]).toEqual([host, 'address_not_allowed']);
    }
    expect((await refusal(out(`http://nowhere.example:${v4.port}/`))).reason).toBe('network');
    expect(hits()).toBe(before);
  });

  it('allowPrivateNetworks (configured) lets private addresses through, never loopback', async () => {
    const resolve: Resolver = async (host) => [{ address: host === 'lo.example' ? '127.0.0.1' : '192.0.2.1', family: 4 }];
    const out = createOutboundFetch({ ...withHttp(strictPolicy({ timeout: 2000, maxBytes: 1024, allowPrivateNetworks: true })), resolve });
    expect((await refusal(out(`http://lo.example:${v4.port}/`))).reason).toBe('address_not_allowed');
    expect((await refusal(out(`http://[fe80::1]:${v4.port}/`))).reason).toBe('address_not_allowed');
  });

  it('DNS rebinding: the connection goes to the vetted address, the second answer is never used', async () => {
    // First answer loopback (allowed by the loopback policy), then the cloud metadata address.
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
    const before = v4.hits.length;
    const out = createOutboundFetch({ ...withHttp(loopbackPolicy()), resolve: rebinding });
    expect(await out.json(`http://rebind.example:${v4.port}/vetted`)).toEqual({ ok: true });
    expect(calls).toBe(1);
    expect(v4.hits.slice(before)).toEqual(['/vetted']);
  });

  it('DNS rebinding: a public first answer and a loopback second; the lookup node connects with answers the vetted address only', async () => {
    // No connection is made here (it would leave this machine): the lookup the
    // request hands node is asked as node asks it, once per family mode.
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }];
    const url = new URL('https://rebind.example/jwks');
    const vetted = await vetHost(url, { ...strictPolicy(), resolve: rebinding });
    expect(vetted).toEqual([{ address: '93.184.215.14', family: 4 }]);
    const lookup = pinnedLookup(url.hostname, vetted);
    const ask = (options: object) =>
      new Promise<unknown>((resolve) => lookup('rebind.example', options, (err, address, family) => resolve(err ? err.message : [address, family])));
    expect(await ask({})).toEqual(['93.184.215.14', 4]);
    expect(await ask({ all: true })).toEqual([[{ address: '93.184.215.14', family: 4 }], undefined]);
    expect(await ask({ family: 6 })).toMatch(/not vetted/);
    expect(await new Promise((resolve) => lookup('other.example', {}, (err) => resolve(err?.message)))).toMatch(/not vetted/);
    expect(calls).toBe(1);
    // A second check would see the loopback answer and refuse it.
    expect((await refusal(vetHost(url, { ...strictPolicy(), resolve: rebinding }))).reason).toBe('address_not_allowed');
  });

  it('the host header and TLS name stay the URL host while the connection uses the vetted address', async () => {
    const seen: string[] = [];
    const srv = await startServer((req, res) => {
      seen.push(req.headers.host ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    try {
      const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      await createOutboundFetch({ ...withHttp(loopbackPolicy()), resolve }).json(`http://docs.example:${srv.port}/`);
      expect(seen).toEqual([`docs.example:${srv.port}`]);
    } finally {
      await srv.close();
    }
  });
});
