/**
 * A real provider (createGatehouse with a memory backend and a hand-moved
 * clock) for the grant, token and userinfo tests, plus request helpers that
 * go through the real fetch handler.
 */
import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import type { ConfigInput } from '../../src/config/schema.js';
import type { ProviderContext } from '../../src/context.js';
import { storeAuthorizationCode } from '../../src/grants/authorization-code-grant.js';
import { s256Challenge } from '../../src/grants/pkce.js';
import { createGatehouse, type Gatehouse } from '../../src/provider.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { Backend, RecordKind } from '../../src/stores/types.js';
import type { AuthorizationCodePayload } from '../../src/tokens/authorization-code-record.js';

export const ISSUER = 'https://id.example.com';
/** 2025-01-01T00:00:00Z */
export const NOW = 1735689600;
export const REDIRECT = 'https://web.example.com/cb';
export const SECRETS: Record<string, string> = { web: 'web-secret-123', other: 'other-secret-456' };

type ClientInput = NonNullable<ConfigInput['clients']>[number];

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');

export const ALICE_CLAIMS = {
  name: 'Alice Smith',
  given_name: 'Alice',
  family_name: 'Smith',
  website: 'https://alice.example.com',
  email: 'alice@example.com',
  email_verified: true,
  role: 'admin',
  department: 'sales',
  // A user store must never be able to set the protocol claims.
  iss: 'https://evil.example.com',
  aud: 'evil',
};

function client(clientId: string, extra: Partial<ClientInput> = {}): ClientInput {
  return {
    clientId,
    clientSecrets: SECRETS[clientId] ? [{ value: sha256(SECRETS[clientId]) }] : [],
    allowedGrantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT],
    allowedScopes: ['openid', 'profile', 'email', 'api.read', 'api.write', 'offline_access'],
    allowOfflineAccess: true,
    ...extra,
  };
}

export interface HarnessOptions {
  /** Overrides of the 'web' client. */
  web?: Partial<ClientInput>;
  /** Overrides of the public 'spa' client. */
  spa?: Partial<ClientInput>;
  algorithms?: Array<'RS256' | 'PS256' | 'ES256' | 'EdDSA'>;
  /** Storage; default a fresh memory backend. */
  backend?: Backend;
}

/**
 * A memory backend whose first `n` finds of `kind` each wait until all `n`
 * have read: requests that look the record up at the same moment, as two
 * nodes redeeming one code at once do, before either can consume it.
 */
export function readTogetherBackend(kind: RecordKind, n = 2): Backend {
  const backend = createMemoryBackend();
  const find = backend.records.find.bind(backend.records);
  let waiting: Array<() => void> | undefined = [];
  backend.records.find = (async (k: RecordKind, id: string) => {
    const rec = await find(k, id);
    const queue = waiting;
    if (k === kind && queue) {
      await new Promise<void>((release) => {
        queue.push(release);
        if (queue.length >= n) {
          waiting = undefined;
          for (const r of queue) r();
        }
      });
    }
    return rec;
  }) as typeof backend.records.find;
  return backend;
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  json: Record<string, any>;
}

export interface Harness {
  gh: Gatehouse;
  ctx: ProviderContext;
  clock: { now(): number; set(t: number): void; advance(s: number): void };
  /** POST /connect/token as `clientId` (Basic auth; a client without secret sends client_id). */
  token(form: Record<string, string | string[]>, clientId?: string): Promise<TokenAnswer>;
  /** Stores a code as the authorize endpoint does; returns it with its PKCE verifier. */
  issueCode(opts?: {
    clientId?: string;
    subjectId?: string;
    sessionId?: string;
    payload?: Partial<AuthorizationCodePayload>;
  }): Promise<{ code: string; verifier: string }>;
  /** A code issued and redeemed by 'web' with the default payload. */
  redeem(opts?: Parameters<Harness['issueCode']>[0]): Promise<TokenAnswer>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  let now = NOW;
  const clock = { now: () => now, set: (t: number) => void (now = t), advance: (s: number) => void (now += s) };
  const config: ConfigInput = {
    server: { issuer: ISSUER, logLevel: 'silent' },
    store: { type: 'memory' },
    keys: { algorithms: opts.algorithms ?? ['RS256'], keyEncryptionKey: randomBytes(32).toString('base64'), refreshInterval: 0 },
    identityResources: ['openid', 'profile', 'email', 'offline_access'],
    apiScopes: [{ name: 'api.read', userClaims: ['department'] }, { name: 'api.write' }],
    apiResources: [
      { name: 'orders', scopes: ['api.read', 'api.write'], userClaims: ['role'] },
      { name: 'reports', scopes: ['api.read'], requireResourceIndicator: true },
    ],
    clients: [
      client('web', opts.web),
      client('other'),
      client('spa', { requireClientSecret: false, ...opts.spa }),
      client('noapi', { clientSecrets: [{ value: sha256('noapi-secret') }], allowedGrantTypes: ['authorization_code'] }),
    ],
    users: [
      { subjectId: 'alice', username: 'alice', password: 'alice-password', claims: ALICE_CLAIMS },
      { subjectId: 'bob', username: 'bob', password: 'bob-password', isActive: false, claims: { name: 'Bob' } },
    ],
  };
  const gh = await createGatehouse(config, { clock, backend: opts.backend ?? createMemoryBackend(), timers: false, logger: pino({ level: 'silent' }) });
  const ctx = gh.context;
  const fetch = (path: string, init?: RequestInit) => gh.fetch(new Request(ISSUER + path, init));

  const token: Harness['token'] = async (form, clientId = 'web') => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const secret = SECRETS[clientId] ?? (clientId === 'noapi' ? 'noapi-secret' : undefined);
    if (secret) headers.authorization = `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
    else body.set('client_id', clientId);
    const res = await fetch('/connect/token', { method: 'POST', headers, body });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
  };

  const issueCode: Harness['issueCode'] = async (o = {}) => {
    const verifier = randomBytes(32).toString('base64url');
    const payload: AuthorizationCodePayload = {
      redirectUri: REDIRECT,
      scopes: ['openid', 'profile', 'email', 'api.read', 'offline_access'],
      resourceIndicators: [],
      codeChallenge: s256Challenge(verifier),
      codeChallengeMethod: 'S256',
      nonce: 'nonce-123',
      authTime: NOW - 30,
      amr: ['pwd'],
      ...o.payload,
    };
    const c = ctx.clients.find(o.clientId ?? 'web')!;
    const code = await storeAuthorizationCode(ctx, { client: c, subjectId: o.subjectId ?? 'alice', sessionId: o.sessionId ?? 'sid-1', payload });
    return { code, verifier };
  };

  const redeem: Harness['redeem'] = async (o = {}) => {
    const { code, verifier } = await issueCode(o);
    return token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, o.clientId ?? 'web');
  };

  return { gh, ctx, clock, token, issueCode, redeem, fetch, close: () => gh.close() };
}

/** The payload of a JWT, unverified (for assertions on claims; signatures are checked where it matters). */
export function jwtClaims(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}
