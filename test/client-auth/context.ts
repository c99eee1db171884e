/** A minimal ProviderContext for client-authentication tests. */
import type { ProviderExtensions } from '../../src/extensions/index.js';
import pino from 'pino';
import { configSchema, type ClientConfig, type ConfigInput, type TokenEndpointAuthMethod } from '../../src/config/schema.js';
import type { ClientRegistry, ProviderContext } from '../../src/context.js';
import type { InternalRequest } from '../../src/core/types.js';
import type { Client, GatehouseEvent, KeyManager, Resources, UserService } from '../../src/model/types.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { createTypedStores } from '../../src/stores/typed/index.js';
import { createClientAuthMethods } from '../../src/client-auth/client-auth-methods.js';
import { endpointUrls } from '../../src/provider.js';
import { createBackgroundTasks } from '../../src/tasks/background-tasks.js';
import { createVerifiedJwtCache } from '../../src/tokens/verified-jwt-cache.js';

export const ISSUER = 'https://id.example.com';
/** 2025-01-01T00:00:00Z */
export const NOW = 1735689600;

/** The same rule as src/config/compile.ts: explicit methods, else derived from secrets and keys. */
function authMethodsOf(c: ClientConfig): Set<TokenEndpointAuthMethod> {
  if (c.tokenEndpointAuthMethods) return new Set(c.tokenEndpointAuthMethods);
  if (!c.requireClientSecret) return new Set(['none']);
  const methods = new Set<TokenEndpointAuthMethod>();
  if (c.clientSecrets.length > 0) {
    methods.add('client_secret_basic');
    methods.add('client_secret_post');
  }
  if (c.clientSecrets.some((s) => s.type === 'SymmetricKey')) methods.add('client_secret_jwt');
  if (c.jwks || c.jwksUri) methods.add('private_key_jwt');
  return methods;
}

function compileClient(c: ClientConfig): Client {
  const authMethods = authMethodsOf(c);
  return {
    ...c,
    authMethods,
    isPublic: authMethods.size === 1 && authMethods.has('none'),
    refreshTokenRetryWindow: c.refreshTokenRetryWindow ?? 0,
    grantTypeSet: new Set(c.allowedGrantTypes),
    scopeSet: new Set(c.allowedScopes),
    redirectUriSet: new Set(c.redirectUris),
    corsOriginSet: new Set(c.allowedCorsOrigins),
  };
}

/** A dependency the code under test must not touch. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- T is the dependency type the caller names
function unused<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_t, prop) => {
      throw new Error(`${name}.${String(prop)} is not available in client-auth tests`);
    },
  });
}

export interface TestContext extends ProviderContext {
  emitted: GatehouseEvent[];
  clock: { now(): number; set(t: number): void };
}

/** A backend and the typed stores over it. */
const withStores = (backend: ReturnType<typeof createMemoryBackend>) => ({ backend, stores: createTypedStores(backend.records) });

export function createTestContext(clients: ConfigInput['clients'], extra: Omit<ConfigInput, 'clients' | 'server'> = {}): TestContext {
  const config = configSchema.parse({ ...extra, server: { issuer: ISSUER }, clients });
  const byId = new Map(config.clients.map((c) => [c.clientId, compileClient(c)]));
  const registry: ClientRegistry = { find: (id) => byId.get(id), all: () => [...byId.values()] };
  let now = NOW;
  const emitted: GatehouseEvent[] = [];
  return {
    config,
    issuer: ISSUER,
    clock: { now: () => now, set: (t) => void (now = t) },
    logger: pino({ level: 'silent' }),
    clients: registry,
    resources: unused<Resources>('resources'),
    ...withStores(createMemoryBackend()),
    keys: unused<KeyManager>('keys'),
    users: unused<UserService>('users'),
    extensions: unused<ProviderExtensions>('extensions'),
    grants: new Map(),
    clientAuthMethods: createClientAuthMethods(),
    events: (e) => void emitted.push(e),
    emitted,
    endpoints: endpointUrls(ISSUER),
    verifiedJwts: createVerifiedJwtCache(),
    background: createBackgroundTasks(() => undefined),
  };
}

/** A POST to the token endpoint with a form body and optional headers. */
export function tokenRequest(form: Record<string, string | string[]>, headers: Record<string, string> = {}, path = '/connect/token'): InternalRequest {
  const body = new Map<string, string[]>();
  for (const [k, v] of Object.entries(form)) body.set(k, Array.isArray(v) ? v : [v]);
  return {
    method: 'POST',
    path,
    url: new URL(path, ISSUER),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    query: new Map(),
    body,
    cookies: {},
    requestId: 'test-request',
  };
}

/** `Authorization: Basic` built as RFC 6749 §2.3.1 says: form-urlencode both parts, then base64. */
export function basicAuth(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}
