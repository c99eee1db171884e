/**
 * GitHub issue 2, "Never a 5xx": a seeded random sweep of garbage form bodies
 * and headers against the token, introspection and revocation endpoints.
 * A failure prints the seed and the request so it can be replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { prng } from '../helpers/prng.js';

const SEED = Number(process.env.NEVER_5XX_SEED ?? 0x9a7e);
const PER_ENDPOINT = 100;

const NAMES = [
  'grant_type',
  'client_id',
  'client_secret',
  'scope',
  'resource',
  'token',
  'token_type_hint',
  'client_assertion',
  'client_assertion_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'device_code',
  'audience',
  '',
  '%',
  '%zz',
  'a[]',
  '__proto__',
  'constructor',
  'toString',
];
const VALUES = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  'm2m',
  'secret',
  'api',
  'openid api offline_access',
  'api',
  'interactive.confidential',
  'interactive.public',
  'access_token',
  'http://localhost:3000/callback',
  '',
  ' ',
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '\u0000',
  'a.b.c',
  'eyJhbGciOiJub25lIn0.e30.',
  'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA',
  '....',
  'api#frag',
  'https://x.example/#',
  '\uD800',
  '😀'.repeat(50),
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function randomString(r: Rand, max: number, alphabet?: string): string {
  const len = Math.floor(r() * max);
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet ? alphabet[Math.floor(r() * alphabet.length)] : String.fromCharCode(Math.floor(r() * 0x2fff));
  return out;
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** A form body: mostly url-encoded garbage pairs, sometimes raw bytes or a huge value. */
function randomBody(r: Rand): string | Uint8Array<ArrayBuffer> {
  const roll = r();
  if (roll < 0.1) return Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
  if (roll < 0.15) return `grant_type=client_credentials&scope=${'a'.repeat(Math.floor(r() * 20000))}`;
  if (roll < 0.25) return randomString(r, 200, PRINTABLE);
  const parts: string[] = [];
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n; i++) {
    const name = r() < 0.85 ? pick(r, NAMES) : randomString(r, 20);
    const value = r() < 0.6 ? pick(r, VALUES) : randomString(r, r() < 0.1 ? 6000 : 100);
    // Sometimes unencoded (raw % and &), usually encoded.
    parts.push(
      r() < 0.2
        ? `${name}=${value}`
        : `${encodeURIComponent(name.replace(/[\uD800-\uDFFF]/g, ''))}=${encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, ''))}`,
    );
    if (r() < 0.15) parts.push(parts[parts.length - 1]);
  }
  return parts.join('&');
}

function randomHeaders(r: Rand): Record<string, string> {
  const h: Record<string, string> = {};
  const ct = r();
  if (ct < 0.75) h['content-type'] = 'application/x-www-form-urlencoded';
  else if (ct < 0.85)
    h['content-type'] = pick(r, [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/x-www-form-urlencoded;;;',
      ';',
    ]);
  else h['content-type'] = randomString(r, 40, PRINTABLE);
  const auth = r();
  if (auth < 0.3)
    h.authorization = basic(pick(r, ['m2m', 'api', 'interactive.confidential', 'interactive.public', 'nobody', '']), pick(r, ['secret', 'wrong', '']));
  else if (auth < 0.45) h.authorization = `Basic ${Buffer.from(randomString(r, 60)).toString('base64')}`;
  else if (auth < 0.6) h.authorization = `${pick(r, ['Basic', 'basic', 'Bearer', 'DPoP', ''])} ${randomString(r, 80, PRINTABLE)}`.trim();
  if (r() < 0.3) h['x-request-id'] = randomString(r, 80, PRINTABLE);
  if (r() < 0.2) h.origin = pick(r, ['http://localhost:3000', 'null', 'https://evil.example', randomString(r, 30, PRINTABLE)]);
  if (r() < 0.1) h.cookie = randomString(r, 100, PRINTABLE);
  return h;
}

describe('never a 5xx', () => {
  let s: TestServer;
  beforeAll(async () => (s = await startTestServer()));
  afterAll(() => s.close());

  for (const path of ['/connect/token', '/connect/introspect', '/connect/revocation']) {
    it(`${path}: ${PER_ENDPOINT} random requests, no status >= 500 (seed ${SEED})`, async () => {
      const r = prng(SEED ^ (path.length * 7919));
      const failures: string[] = [];
      const statuses = new Map<number, number>();
      for (let batch = 0; batch < PER_ENDPOINT / 10; batch++) {
        const reqs = Array.from({ length: 10 }, () => {
          const body = randomBody(r);
          const headers = randomHeaders(r);
          const query = r() < 0.1 ? `?${randomString(r, 30, PRINTABLE).replace(/[#\s]/g, '')}` : '';
          return { body, headers, query };
        });
        await Promise.all(
          reqs.map(async ({ body, headers, query }) => {
            const res = await fetch(s.url + path + query, { method: 'POST', headers, body });
            const text = await res.text();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500) {
              failures.push(
                `${res.status} ${text.slice(0, 200)} <- ${JSON.stringify({ headers, query, body: typeof body === 'string' ? body.slice(0, 300) : `bytes(${body.length})` })}`,
              );
            }
          }),
        );
      }
      expect(failures, failures.join('\n')).toEqual([]);
      // The sweep reaches past the edge checks: some requests get to the handlers.
      expect(
        [...statuses.keys()].some((st) => st === 200 || st === 401),
        JSON.stringify([...statuses]),
      ).toBe(true);
    });
  }

  it('/connect/token: grant parameters fuzzed behind valid client credentials', async () => {
    const r = prng(SEED + 1);
    const clients = [basic('m2m', 'secret'), basic('interactive.confidential', 'secret')];
    const grants = ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'];
    const params = ['scope', 'resource', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'device_code'];
    const failures: string[] = [];
    for (let i = 0; i < PER_ENDPOINT; i++) {
      const body = new URLSearchParams({ grant_type: pick(r, grants) });
      for (const name of params)
        if (r() < 0.5) body.append(name, r() < 0.5 ? pick(r, VALUES).replace(/[\uD800-\uDFFF]/g, '') : randomString(r, 120, PRINTABLE));
      const res = await fetch(s.url + '/connect/token', { method: 'POST', headers: { authorization: pick(r, clients) }, body });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${res.status} ${text.slice(0, 200)} <- ${body}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
