/**
 * Negative-input sweep: every endpoint of `gatehouse start` (CLI, demo
 * configuration, SQLite) receives generated malformed input from a fixed
 * seed: missing, duplicated, oversized and wrongly typed parameters, wrong
 * methods and content types, broken percent and UTF-8 encodings, invalid and
 * tampered JWTs, garbage credentials and cookies, plus malformed raw HTTP.
 * Invariants: never a 5xx, never a hang, no stack trace, and the error shape
 * of the endpoint's channel (OAuth JSON with error and error_description;
 * RFC 6750 challenge on userinfo; an HTML page on page endpoints; redirects
 * only to the issuer or a registered URI). A failure prints the seed and the
 * request. SWEEP_SEED and SWEEP_REQUESTS override the defaults.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { authorizeWithLogin, exchangeCode, CONFIDENTIAL_REDIRECT } from '../helpers/flow.js';
import { CookieJar, basic, pkce } from '../helpers/server.js';
import { prng } from '../helpers/prng.js';

const SEED = Number(process.env.SWEEP_SEED ?? 0x5eed6);
const TOTAL = Number(process.env.SWEEP_REQUESTS ?? 5000);
const CONCURRENCY = 12;
const HANG_MS = 5_000;

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

type Channel = 'json' | 'bearer' | 'html' | 'static';
interface Target {
  path: string;
  methods: string[];
  channel: Channel;
  params: string[];
}

const AUTHORIZE_PARAMS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'max_age',
  'login_hint',
  'id_token_hint',
  'ui_locales',
  'claims_locales',
  'acr_values',
  'display',
  'claims',
  'request',
  'request_uri',
  'resource',
  'registration',
];
const TARGETS: Target[] = [
  {
    path: '/connect/token',
    methods: ['POST'],
    channel: 'json',
    params: [
      'grant_type',
      'code',
      'redirect_uri',
      'code_verifier',
      'refresh_token',
      'username',
      'password',
      'auth_req_id',
      'scope',
      'resource',
      'client_id',
      'client_secret',
      'client_assertion',
      'client_assertion_type',
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'audience',
    ],
  },
  {
    path: '/connect/introspect',
    methods: ['POST'],
    channel: 'json',
    params: ['token', 'token_type_hint', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'],
  },
  { path: '/connect/revocation', methods: ['POST'], channel: 'json', params: ['token', 'token_type_hint', 'client_id', 'client_secret'] },
  // RFC 9126: the authorization parameters, a request object and client credentials.
  { path: '/connect/par', methods: ['POST'], channel: 'json', params: [...AUTHORIZE_PARAMS, 'client_secret', 'client_assertion', 'client_assertion_type'] },
  { path: '/connect/userinfo', methods: ['GET', 'POST'], channel: 'bearer', params: ['access_token', 'schema'] },
  { path: '/connect/authorize', methods: ['GET', 'POST'], channel: 'html', params: AUTHORIZE_PARAMS },
  { path: '/connect/authorize/resume', methods: ['GET'], channel: 'html', params: ['id'] },
  {
    path: '/connect/endsession',
    methods: ['GET', 'POST'],
    channel: 'html',
    params: ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id', 'ui_locales', 'confirm', 'csrf', 'logout_hint'],
  },
  {
    path: '/connect/ciba',
    methods: ['POST'],
    channel: 'json',
    params: [
      'scope',
      'login_hint',
      'id_token_hint',
      'login_hint_token',
      'binding_message',
      'user_code',
      'requested_expiry',
      'acr_values',
      'client_notification_token',
      'request',
      'resource',
      'client_id',
      'client_secret',
      'client_assertion',
      'client_assertion_type',
    ],
  },
  { path: '/ui/ciba/decide', methods: ['POST'], channel: 'html', params: ['id', 'csrf', 'decision'] },
  { path: '/connect/initiate-login', methods: ['GET'], channel: 'html', params: ['client_id', 'login_hint', 'target_link_uri'] },
  { path: '/ui/login', methods: ['GET', 'POST'], channel: 'html', params: ['id', 'csrf', 'username', 'password', 'remember', 'ui_locales'] },
  { path: '/ui/login/cancel', methods: ['POST'], channel: 'html', params: ['id', 'csrf'] },
  { path: '/ui/consent', methods: ['GET', 'POST'], channel: 'html', params: ['id', 'csrf', 'decision', 'scope', 'remember'] },
  { path: '/ui/logout', methods: ['POST'], channel: 'html', params: ['csrf'] },
  { path: '/ui/', methods: ['GET'], channel: 'html', params: ['ui_locales'] },
  { path: '/.well-known/openid-configuration', methods: ['GET'], channel: 'static', params: [] },
  { path: '/.well-known/oauth-authorization-server', methods: ['GET'], channel: 'static', params: [] },
  { path: '/.well-known/openid-configuration/jwks', methods: ['GET'], channel: 'static', params: [] },
  { path: '/health', methods: ['GET'], channel: 'static', params: [] },
];

/** Real values the sweep mixes in so requests get past the first checks. */
interface Live {
  accessToken: string;
  refreshToken: string;
  idToken: string;
  code: string;
  interactionId: string;
  csrf: string;
  jar: CookieJar;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const RAW_ENCODINGS = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%FF%FE', '%00', '%F0%9F%98', '%ED%A0%80', '%25%', '%%', '+%2B+', '%0D%0A', '%u0041', 'a%20b%2'];
const TYPED = ['[]', '{}', 'null', 'true', '-1', '0', '1e309', '99999999999999999999', 'NaN', '0x10', ' ', '', '\t', 'undefined', '__proto__', 'constructor'];

/** Invalid or tampered JWTs, derived from a real one when given. */
function badJwts(real: string): string[] {
  const [h, p, s] = real.split('.') as [string, string, string];
  return [
    `${b64('{"alg":"none"}')}.${p}.`,
    `${h}.${p}.${s.slice(0, -4)}AAAA`,
    `${h}.${p}`,
    `${h}.${b64('[]')}.${s}`,
    `${b64('{"alg":"HS256","kid":"nope"}')}.${p}.${s}`,
    `${b64('{"alg":"RS256","crit":["x"]}')}.${p}.${s}`,
    `${h}.${b64('{"iss":1,"aud":[],"exp":"soon"}')}.${s}`,
    `${b64('not json')}.${b64('not json')}.${s}`,
    '....',
    'a.b.c',
    `${h}.${p}.${s}.extra.segments`,
    `${h}.${'A'.repeat(9000)}.${s}`,
    real.toUpperCase(),
  ];
}

function valuePool(live: Live): string[] {
  return [
    'interactive.confidential',
    'interactive.public',
    'm2m',
    'device',
    'api',
    'nobody',
    CONFIDENTIAL_REDIRECT,
    'http://localhost:3000/spa/callback',
    'http://127.0.0.1:1234/callback',
    'http://localhost:3000/',
    'https://evil.example/cb',
    'javascript:alert(1)',
    'http://localhost:3000/callback#frag',
    'code',
    'token',
    'id_token',
    'code id_token',
    'none',
    'query',
    'fragment',
    'form_post',
    'web_message',
    'openid',
    'openid profile email api offline_access',
    'api',
    'unknown_scope',
    'openid openid',
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'password',
    'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:token-exchange',
    'urn:ietf:params:oauth:token-type:access_token',
    'urn:ietf:params:oauth:token-type:id_token',
    'urn:ietf:params:oauth:token-type:refresh_token',
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    'access_token',
    'S256',
    'plain',
    'login',
    'consent',
    'none login',
    'select_account',
    'allow',
    'deny',
    '1',
    'de',
    'en',
    'xx-YY',
    'alice',
    'bob',
    'secret',
    'ro.client',
    'ciba',
    'urn:openid:params:grant-type:ciba',
    'approve',
    '300',
    live.accessToken,
    live.refreshToken,
    live.idToken,
    live.code,
    live.interactionId,
    live.csrf,
    ...badJwts(live.idToken),
    ...badJwts(live.accessToken),
    ...TYPED,
  ];
}

interface Param {
  name: string;
  value: string;
  raw: boolean;
}

function randomText(r: Rand, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += String.fromCharCode(r() < 0.8 ? 32 + Math.floor(r() * 95) : Math.floor(r() * 0xd7ff));
  return s;
}

function params(r: Rand, t: Target, pool: string[]): Param[] {
  const out: Param[] = [];
  // A plausible base for the authorization endpoint, so fuzz reaches the redirected-error phase.
  if (t.path === '/connect/authorize' && r() < 0.6) {
    out.push({ name: 'client_id', value: 'interactive.confidential', raw: false }, { name: 'redirect_uri', value: CONFIDENTIAL_REDIRECT, raw: false });
  }
  const n = Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const name = t.params.length && r() < 0.85 ? pick(r, t.params) : pick(r, ['', '%', 'a[]', '__proto__', 'x'.repeat(300), randomText(r, 12)]);
    const roll = r();
    let value: string;
    let raw = false;
    if (roll < 0.55) value = pick(r, pool);
    else if (roll < 0.7) {
      value = pick(r, RAW_ENCODINGS);
      raw = true;
    } else if (roll < 0.78) value = 'a'.repeat(pick(r, [300, 2049, 4097, 9000]));
    else value = randomText(r, 80);
    out.push({ name, value, raw });
    // Duplicated parameters.
    if (r() < 0.15) out.push({ name, value: r() < 0.5 ? value : pick(r, pool), raw });
  }
  return out;
}

const enc = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
const serialise = (ps: Param[]) => ps.map((p) => `${p.raw ? p.name : enc(p.name)}=${p.raw ? p.value : enc(p.value)}`).join('&');
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '').slice(0, 2000);

interface Generated {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  target: Target;
}

function generate(r: Rand, base: string, live: Live, pool: string[]): Generated {
  const target = pick(r, TARGETS);
  const method = r() < 0.85 ? pick(r, target.methods) : pick(r, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
  const ps = params(r, target, pool);
  const headers: Record<string, string> = {};
  let url = base + target.path;
  let body: Generated['body'];
  const inQuery = method === 'GET' || method === 'HEAD' || r() < 0.1;
  if (inQuery && ps.length) url += `?${serialise(ps)}`;
  if (!inQuery && method !== 'HEAD') {
    const roll = r();
    if (roll < 0.65) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = serialise(ps);
    } else if (roll < 0.72) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(Object.fromEntries(ps.map((p) => [p.name, p.value])));
    } else if (roll < 0.77) {
      headers['content-type'] = 'multipart/form-data; boundary=x';
      body = ps.map((p) => `--x\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`).join('') + '--x--\r\n';
    } else if (roll < 0.82) {
      headers['content-type'] = pick(r, [
        'text/plain',
        'application/x-www-form-urlencoded; charset=utf-16',
        'application/x-www-form-urlencoded;;;',
        ';',
        'application/xml',
      ]);
      body = serialise(ps);
    } else if (roll < 0.87) {
      body = serialise(ps); // no content type
    } else if (roll < 0.93) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = Uint8Array.from({ length: Math.floor(r() * 400) }, () => Math.floor(r() * 256));
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = `${serialise(ps)}&pad=${'p'.repeat(pick(r, [5000, 70_000, 200_000]))}`;
    }
  }
  const auth = r();
  if (auth < 0.2)
    headers.authorization = basic(
      pick(r, ['m2m', 'api', 'interactive.confidential', 'interactive.public', 'ciba', 'exchange', 'nobody', '', ':']),
      pick(r, ['secret', 'wrong', '']),
    );
  else if (auth < 0.3) headers.authorization = `Bearer ${pick(r, [live.accessToken, live.refreshToken, live.idToken, ...badJwts(live.accessToken)])}`;
  else if (auth < 0.4) headers.authorization = headerSafe(`${pick(r, ['Basic', 'basic', 'Bearer', 'DPoP', '', 'Basic Basic'])} ${randomText(r, 60)}`);
  else if (auth < 0.43) headers.authorization = `Basic ${Buffer.from(`${'x'.repeat(5000)}:y`).toString('base64')}`;
  const cookieRoll = r();
  if (cookieRoll < 0.25) headers.cookie = live.jar.header();
  else if (cookieRoll < 0.35) headers.cookie = headerSafe(randomText(r, 200));
  else if (cookieRoll < 0.4) headers.cookie = `${live.jar.header()}; ${live.jar.header()}`;
  if (r() < 0.15) headers.origin = pick(r, ['http://localhost:3000', 'null', 'https://evil.example']);
  if (r() < 0.1) headers['x-request-id'] = headerSafe(randomText(r, 100));
  if (r() < 0.05) headers['accept-language'] = headerSafe(randomText(r, 100));
  return { method, url, headers, body, target };
}

const STACK = /\n\s+at [\w$.<>[\] ]+ \(|node_modules\/|\/src\/[\w/-]+\.ts|TypeError|ReferenceError/;
const OAUTH_ERROR = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §5.2 error charset

/** Returns a problem description, or undefined when the answer is right for its channel. */
function judge(g: Generated, status: number, headers: Headers, text: string, allowedRedirects: (loc: URL) => boolean, issuer: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (STACK.test(text)) return 'stack trace or internals in the body';
  const type = headers.get('content-type') ?? '';
  if (status >= 300 && status < 400) {
    const loc = headers.get('location');
    if (!loc) return 'redirect without Location';
    const url = new URL(loc, issuer);
    if (!(url.origin === issuer || allowedRedirects(url))) return `redirect to an unregistered place: ${loc}`;
    return undefined;
  }
  if (status < 400 || g.method === 'HEAD') return undefined;
  // A request head over the server's limit never reaches a route: the HTTP layer answers 431 (RFC 6585 §5).
  if (status === 431) return text === '' ? undefined : '431 with a body';
  // Unknown paths and methods of static documents answer JSON too.
  const channel = g.target.channel;
  if (channel === 'html') {
    if (!type.startsWith('text/html')) return `page endpoint answered ${status} with ${type}`;
    if (!/<html/i.test(text)) return 'error page is not an HTML document';
    return undefined;
  }
  if (channel === 'bearer') {
    const challenge = headers.get('www-authenticate') ?? '';
    if (!/^Bearer\b/.test(challenge)) return `userinfo ${status} without a Bearer challenge`;
    if (text) {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body.error !== 'string' || !OAUTH_ERROR.test(body.error)) return 'userinfo error body without error';
    }
    return undefined;
  }
  if (!type.startsWith('application/json')) return `${status} with ${type}, not JSON`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'unparseable JSON';
  }
  if (typeof body.error !== 'string' || !OAUTH_ERROR.test(body.error)) return `JSON error without a valid error code: ${text.slice(0, 120)}`;
  if (typeof body.error_description !== 'string') return 'JSON error without error_description';
  if (status === 401 && !headers.get('www-authenticate')) return '401 without WWW-Authenticate';
  return undefined;
}

describe(`negative-input sweep against gatehouse start (seed ${SEED})`, () => {
  let gh: CliServer;
  let live: Live;

  beforeAll(async () => {
    gh = await startCliServer();
    const flow = await authorizeWithLogin(gh.url, {});
    const tokens = await exchangeCode(gh.url, flow.code, flow.verifier);
    // A pending interaction (login page not yet submitted) with its cookie.
    const jar = new CookieJar();
    const { challenge } = await pkce();
    const pending = await jar.fetch(
      `${gh.url}/connect/authorize?${new URLSearchParams({ client_id: 'interactive.public', redirect_uri: 'http://localhost:3000/spa/callback', response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })}`,
    );
    const loginUrl = new URL(pending.headers.get('location')!, gh.url);
    const page = await (await jar.fetch(loginUrl.href)).text();
    for (const [k, v] of flow.jar.cookies) jar.cookies.set(k, v);
    live = {
      accessToken: tokens.body.access_token,
      refreshToken: tokens.body.refresh_token,
      idToken: tokens.body.id_token,
      code: flow.code,
      interactionId: loginUrl.searchParams.get('id')!,
      csrf: page.match(/name="csrf" value="([^"]*)"/)![1],
      jar,
    };
  });
  afterAll(() => gh?.close());

  /** Registered redirect and post-logout URIs of the demo clients (loopback: any port). */
  const allowedRedirect = (u: URL) => {
    const bare = `${u.origin}${u.pathname}`;
    if (u.hostname === '127.0.0.1' && (u.pathname === '/callback' || u.pathname === '/')) return true;
    return [
      'http://localhost:3000/callback',
      'http://localhost:3000/spa/callback',
      'http://localhost:3000/spa/',
      'http://localhost:3000/',
      'http://localhost:3000/api/auth/callback/identity-server4',
      'http://localhost:3000/api/auth/callback/duende-identity-server6',
      'http://localhost:3000/auth/callback/identity-server4',
      'http://localhost:3000/auth/callback/duende-identity-server6',
    ].includes(bare);
  };

  it(`${TOTAL} generated malformed requests over every endpoint: no 5xx, no hang, the channel's error shape`, async () => {
    const r = prng(SEED);
    const pool = valuePool(live);
    const requests = Array.from({ length: TOTAL }, () => generate(r, gh.url, live, pool));
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        const g = requests[i];
        const describe = () =>
          `#${i} (SWEEP_SEED=${SEED}) ${g.method} ${g.url.slice(0, 300)} ${JSON.stringify(g.headers).slice(0, 300)} body=${typeof g.body === 'string' ? g.body.slice(0, 300) : g.body ? `bytes(${g.body.length})` : '-'}`;
        try {
          const res = await fetch(g.url, { method: g.method, headers: g.headers, body: g.body, redirect: 'manual', signal: AbortSignal.timeout(HANG_MS) });
          const text = await res.text();
          const key = `${g.target.path} ${res.status}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          const problem = judge(g, res.status, res.headers, text, allowedRedirect, gh.url);
          if (problem) failures.push(`${problem}: ${describe()} -> ${res.status} ${text.slice(0, 200)}`);
        } catch (e) {
          failures.push(
            `${(e as Error).name === 'TimeoutError' ? `hang (no answer in ${HANG_MS} ms)` : `transport error ${(e as Error).message}`}: ${describe()}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (process.env.SWEEP_STATS)
      console.log(
        [...statuses]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join('\n'),
      );
    expect(failures.slice(0, 20), failures.slice(0, 20).join('\n')).toEqual([]);
    // The sweep reached every endpoint and got past the edge checks somewhere (redirects, 200s, 401s).
    const reached = new Set([...statuses.keys()].map((k) => k.split(' ')[0]));
    for (const t of TARGETS) expect(reached, t.path).toContain(t.path);
    const codes = new Set([...statuses.keys()].map((k) => Number(k.split(' ')[1])));
    for (const c of [200, 303, 400, 401, 405]) expect(codes, JSON.stringify([...statuses])).toContain(c);
    // The server is still healthy and still signs tokens afterwards.
    const ok = await fetch(`${gh.url}/connect/token`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=api',
    });
    expect(ok.status).toBe(200);
  });

  /** Sends raw bytes; resolves with the status line (or '' when the server closed without one), or 'hang'. */
  function raw(bytes: string | Buffer, opts: { halfClose?: boolean } = {}): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect(gh.port, '127.0.0.1');
      let data = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(`hang: ${data.split('\r\n')[0]}`);
      }, 3_000);
      socket.on('data', (d) => (data += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(data.split('\r\n')[0] ?? '');
      });
      socket.write(bytes, () => opts.halfClose && socket.end());
    });
  }

  const RAW_CASES: Array<[string, string | Buffer, { halfClose?: boolean; status?: RegExp }?]> = [
    [
      'broken chunked encoding',
      'POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\ngrant_type\r\n0\r\n\r\n',
    ],
    [
      'Content-Length and Transfer-Encoding together',
      'POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    ],
    [
      'truncated body, then the client stops sending',
      'POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=cl',
      { halfClose: true },
    ],
    ['invalid header name', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nConnection: close\r\n\r\n'],
    ['header with a control character', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\nConnection: close\r\n\r\n'],
    ['oversized headers', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\nConnection: close\r\n\r\n`, { status: /^HTTP\/1\.1 431 / }],
    ['an oversized URL', `GET /connect/authorize?state=${'s'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { status: /^HTTP\/1\.1 431 / }],
    [
      'a body over the limit on a page endpoint',
      `POST /connect/endsession HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 70000\r\nConnection: close\r\n\r\nstate=1`,
      { status: /^HTTP\/1\.1 413 / },
    ],
    ['garbage request line', 'HELLO WORLD\r\n\r\n'],
    [
      'non-ASCII bytes in the target',
      Buffer.concat([
        Buffer.from('GET /connect/authorize?client_id='),
        Buffer.from([0xff, 0xfe, 0x80]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      ]),
    ],
    [
      'absolute-form target to another host',
      'GET http://evil.example/connect/authorize?client_id=interactive.confidential HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    ],
    [
      'Upgrade on a POST',
      'POST /connect/token HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\ngrant_type',
    ],
    ['duplicate Content-Length', 'POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 30\r\nConnection: close\r\n\r\nabc'],
    ['HTTP/1.0 without Host', 'GET /.well-known/openid-configuration HTTP/1.0\r\n\r\n'],
  ];

  it.each(RAW_CASES)('raw HTTP: %s is answered (never 5xx) or closed, never left hanging', async (_name, bytes, opts) => {
    const line = await raw(bytes, opts);
    expect(line).not.toMatch(/^hang/);
    if (line) expect(line).toMatch(/^HTTP\/1\.[01] [1-4]\d\d /);
    if (opts?.status) expect(line).toMatch(opts.status);
    // The server still answers afterwards.
    expect((await fetch(`${gh.url}/health`)).status).toBe(200);
  });
});
