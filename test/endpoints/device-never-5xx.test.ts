/**
 * Never a 5xx on the device flow's inputs: a seeded random sweep of garbage
 * against the device authorization endpoint, the device code grant, the
 * verification page's form and its callback. A failure prints the seed and
 * the request so it can be replayed (DEVICE_5XX_SEED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { prng } from '../helpers/prng.js';
import { DEVICE_GRANT, withDeviceClients } from '../helpers/device-page-flow.js';

const SEED = Number(process.env.DEVICE_5XX_SEED ?? 0x8628);
const VALUES = [
  'device',
  'device.confidential',
  'openid api',
  'WDJB-MJHT',
  'wdjbmjht',
  '',
  ' ',
  '%',
  '%zz',
  '%00',
  '\u0000',
  '\uD800',
  '😀'.repeat(40),
  'x'.repeat(5000),
  '__proto__',
  DEVICE_GRANT,
];
const NAMES = [
  'client_id',
  'client_secret',
  'scope',
  'resource',
  'device_code',
  'user_code',
  'csrf',
  'grant_type',
  'code',
  'state',
  'error',
  'ui_locales',
  '__proto__',
];

type Rand = () => number;
/** encodeURIComponent, or a raw `%` for what it cannot encode (a lone surrogate). */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%';
  }
};
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const garbage = (r: Rand) => {
  const p = new URLSearchParams();
  for (let i = Math.floor(r() * 6); i > 0; i--) p.append(pick(r, NAMES), r() < 0.7 ? pick(r, VALUES) : String(Math.floor(r() * 1e9)));
  return p.toString();
};

describe('device flow: never a 5xx', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ mutate: (c) => withDeviceClients(c) });
  });
  afterAll(() => s.close());

  it(`random requests (seed ${SEED}) answer 4xx or a page, never >= 500`, async () => {
    const r = prng(SEED);
    const paths = ['/connect/deviceauthorization', '/connect/token', '/ui/device', '/ui/device/callback'];
    for (let i = 0; i < 160; i++) {
      const path = paths[i % paths.length];
      let body = garbage(r);
      if (path === '/connect/token') body = `grant_type=${encodeURIComponent(DEVICE_GRANT)}&${body}`;
      const get = path === '/ui/device/callback' || r() < 0.2;
      const cookie = r() < 0.5 ? `gh.device=${enc(pick(r, VALUES))}; gh.device.flow=${enc(`${pick(r, VALUES)}.${pick(r, VALUES)}`)}` : '';
      const res = await fetch(`${s.url}${path}${get ? `?${body}` : ''}`, {
        method: get ? 'GET' : 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie && { cookie }) },
        body: get ? undefined : body,
      });
      await res.arrayBuffer();
      expect(res.status, `seed ${SEED}, request ${i}: ${get ? 'GET' : 'POST'} ${path} ${body.slice(0, 300)}`).toBeLessThan(500);
    }
  });
});
