/**
 * The configuration model: one zod schema is the source of the TypeScript
 * types, the defaults and the published JSON Schema (`gatehouse schema`).
 * Names follow IdentityServer's concepts in camelCase.
 */
import type { input as ZodInput, output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';
import { eventsSchema, healthSchema, metricsSchema, rateLimitsSchema } from './operations-schema.js';
import { parseCidr } from './cidr.js';
import { responseCryptoClientFields, responseCryptoResourceFields } from './response-crypto-schema.js';
import { cibaClientFields, cibaSchema } from './ciba-schema.js';
import { accountSchema, emailSchema } from './account-schema.js';
import { deviceFlowSchema } from './device-flow-schema.js';
import { dpopSchema } from './dpop-schema.js';
import { clientIdMetadataDocumentsSchema, registrationSchema } from './registration-schema.js';
import { tokenExchangePolicySchema } from './token-exchange-schema.js';
import { mtlsClientFields, mtlsSchema } from './mtls-schema.js';
import { jarmClientFields } from './jarm-schema.js';
import { parJarClientFields, pushedAuthorizationSchema, requestObjectsSchema } from './par-jar-schema.js';
import { clientFederationFields, externalProviderSchema, federationSchema } from '../federation/provider-schema.js';
import { mfaClientFields, mfaSchema, mfaTestUserFields } from './mfa-schema.js';
import { adminSchema } from './admin-schema.js';

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration: seconds as a number, or a string such as `"90d"`, `"12h"`, `"30m"`, `"45s"`. */
export const duration = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(s|m|h|d)$/, 'must be seconds or a duration such as "90d", "12h", "30m"')])
  .transform((v) => (typeof v === 'number' ? v : Number(v.slice(0, -1)) * DURATION_UNITS[v.slice(-1)]));

const absoluteUri = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return !u.hash && !s.includes('#');
    } catch {
      return false;
    }
  },
  { error: 'must be an absolute URI without fragment' },
);

/** OpenID Connect Registration 1.0 §2 initiate_login_uri: "URI using the https scheme". */
const httpsUri = absoluteUri.refine((s) => s.startsWith('https://'), { error: 'must use the https scheme' });

const origin = z.string().refine(
  (s) => {
    try {
      return new URL(s).origin === s.replace(/\/$/, '');
    } catch {
      return false;
    }
  },
  { error: 'must be an origin (scheme://host[:port]) without path' },
);

export const secretSchema = z.object({
  /**
   * SharedSecret: base64 SHA-256 of the secret (IdentityServer's `"secret".Sha256()`).
   * SymmetricKey: the secret itself, needed as the HMAC key of client_secret_jwt
   * (RFC 7523 §2.2); stored in plain text, so startup warns.
   */
  value: z.string().min(1),
  type: z.enum(['SharedSecret', 'SymmetricKey']).default('SharedSecret'),
  description: z.string().optional(),
  /** ISO 8601 date-time after which the secret is no longer accepted. */
  expiration: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

export const tokenEndpointAuthMethod = z.enum([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
  // RFC 8705 §2 (docs/mtls.md)
  'tls_client_auth',
  'self_signed_tls_client_auth',
]);

const jwkSet = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export const clientSchema = z.object({
  clientId: z.string().min(1).max(200),
  clientName: z.string().optional(),
  clientUri: absoluteUri.optional(),
  logoUri: absoluteUri.optional(),
  /**
   * Login initiation endpoint of the client (OpenID Connect Core 1.0 §4, Registration 1.0 §2 `initiate_login_uri`):
   * `/connect/initiate-login?client_id=...` and the home page's application links send the browser there with `iss`.
   */
  initiateLoginUri: httpsUri.optional(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  clientSecrets: z.array(secretSchema).default([]),
  /** false makes the client public (no secret; token_endpoint_auth_method none). */
  requireClientSecret: z.boolean().default(true),
  /** Allowed token endpoint authentication methods; derived from secrets and keys when absent. */
  tokenEndpointAuthMethods: z.array(tokenEndpointAuthMethod).optional(),
  /** Client public keys for private_key_jwt, inline. */
  jwks: jwkSet.optional(),
  /** Client public keys for private_key_jwt, by URI (cached). */
  jwksUri: absoluteUri.optional(),
  /** Overrides `clientAuthentication.acceptEndpointAudience` for this client's JWT assertions. */
  acceptEndpointAudience: z.boolean().optional(),
  /**
   * Grant types; they also select the authorization endpoint's response types (docs/response-types.md):
   * `authorization_code` → `code`, `implicit` → `id_token`, `id_token token`, `hybrid` → `code id_token`, `code token`, `code id_token token`.
   */
  allowedGrantTypes: z.array(z.string().min(1)).default([]),
  /** Response types that return an access token from the authorization endpoint (`... token`) need this (IdentityServer's AllowAccessTokensViaBrowser). */
  allowAccessTokensViaBrowser: z.boolean().default(false),
  redirectUris: z.array(absoluteUri).default([]),
  postLogoutRedirectUris: z.array(absoluteUri).default([]),
  allowedScopes: z.array(z.string().min(1)).default([]),
  requirePkce: z.boolean().default(true),
  allowPlainTextPkce: z.boolean().default(false),
  requireConsent: z.boolean().default(false),
  allowRememberConsent: z.boolean().default(true),
  /** Seconds a remembered consent lasts; 0 = until revoked. */
  consentLifetime: duration.default(0),
  allowOfflineAccess: z.boolean().default(false),
  alwaysIncludeUserClaimsInIdToken: z.boolean().default(false),
  accessTokenType: z.enum(['jwt', 'reference']).default('jwt'),
  identityTokenLifetime: duration.default(300),
  accessTokenLifetime: duration.default(3600),
  authorizationCodeLifetime: duration.default(300),
  /** RFC 8628: seconds this client's device codes live; default `deviceFlow.deviceCodeLifetime`. */
  deviceCodeLifetime: duration.optional(),
  /** RFC 8628 §3.2: seconds this client's devices wait between polls; default `deviceFlow.interval`. */
  pollingInterval: duration.optional(),
  absoluteRefreshTokenLifetime: duration.default(2592000),
  slidingRefreshTokenLifetime: duration.default(1296000),
  refreshTokenUsage: z.enum(['oneTimeOnly', 'reUse']).default('oneTimeOnly'),
  refreshTokenExpiration: z.enum(['absolute', 'sliding']).default('absolute'),
  /**
   * Seconds after a rotation during which the same authenticated client may
   * present the rotated-out refresh token again (a lost response) while its
   * successor is unused: the successor is then spent and a fresh pair issued.
   * Default 10 for confidential clients, 0 (strict reuse detection) for public ones.
   */
  refreshTokenRetryWindow: duration.optional(),
  updateAccessTokenClaimsOnRefresh: z.boolean().default(false),
  allowedCorsOrigins: z.array(origin).default([]),
  /** OpenID Connect Front-Channel Logout 1.0: loaded in an iframe of the signed-out page. */
  frontChannelLogoutUri: absoluteUri.optional(),
  /** Add iss and sid to frontChannelLogoutUri (Front-Channel Logout 1.0 §2). */
  frontChannelLogoutSessionRequired: z.boolean().default(true),
  /** OpenID Connect Back-Channel Logout 1.0: receives a logout token by POST. */
  backChannelLogoutUri: absoluteUri.optional(),
  /** Put sid into the logout token (Back-Channel Logout 1.0 §2.2). */
  backChannelLogoutSessionRequired: z.boolean().default(true),
  /** Refresh tokens of this client die with the user's session (IdentityServer's CoordinateLifetimeWithUserSession). */
  coordinateLifetimeWithUserSession: z.boolean().default(false),
  /** Max seconds since the user's last login for SSO to apply to this client. */
  userSsoLifetime: duration.optional(),
  /** Claims put into every access token of this client (prefixed with clientClaimsPrefix). */
  claims: z.array(z.object({ type: z.string(), value: z.string() })).default([]),
  alwaysSendClientClaims: z.boolean().default(false),
  clientClaimsPrefix: z.string().default('client_'),
  /** Signed and encrypted ID token, userinfo and introspection responses (docs/signed-encrypted-responses.md). */
  ...responseCryptoClientFields,
  ...cibaClientFields,
  /** RFC 9449 §5.2 (`dpop_bound_access_tokens`): token requests without a DPoP proof are refused; all tokens are DPoP-bound. */
  requireDpop: z.boolean().default(false),
  /** RFC 9449 §8: this client's DPoP proofs at the token endpoint must carry a server nonce (`use_dpop_nonce`). */
  requireDpopNonce: z.boolean().default(false),
  /** RFC 8693 token exchange policy (docs/token-exchange.md); absent: the defaults. */
  tokenExchange: tokenExchangePolicySchema.optional(),
  /** RFC 8705 mutual TLS client authentication and certificate-bound tokens (docs/mtls.md). */
  ...mtlsClientFields,
  /** JARM response signing and encryption (docs/jarm.md). */
  ...jarmClientFields,
  /** Pushed authorization requests and request objects (docs/par-jar.md). */
  ...parJarClientFields,
  /** External identity providers offered to this client (docs/federation.md). */
  ...clientFederationFields,
  /**
   * OIDC Core §8: `public` gives every client the same `sub`; `pairwise` a
   * `sub` per sector (docs/claims.md#pairwise-subject-identifiers), which
   * needs `subjects.pairwiseSalt`.
   */
  subjectType: z.enum(['public', 'pairwise']).default('public'),
  /**
   * OIDC Core §8.1: an https URL of a JSON array listing every redirect URI of
   * the client; its host is the sector identifier. Required for a pairwise
   * client whose redirect URIs have several hosts. Fetched and checked at start.
   */
  sectorIdentifierUri: absoluteUri.optional(),
  ...mfaClientFields,
});

const resourceBase = {
  name: z
    .string()
    .min(1)
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be a valid scope token (RFC 6749 §3.3)'),
  displayName: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  showInDiscoveryDocument: z.boolean().default(true),
  userClaims: z.array(z.string()).default([]),
};

export const identityResourceSchema = z.object({
  ...resourceBase,
  required: z.boolean().default(false),
  emphasize: z.boolean().default(false),
});

export const apiScopeSchema = z.object({
  ...resourceBase,
  required: z.boolean().default(false),
  emphasize: z.boolean().default(false),
});

export const apiResourceSchema = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  description: z.string().optional(),
  enabled: z.boolean().default(true),
  /** API scopes that belong to this resource: a token with one of them gets this resource as audience. */
  scopes: z.array(z.string()).default([]),
  /** Secrets the API uses to call the introspection endpoint (hashed like client secrets). */
  apiSecrets: z.array(secretSchema).default([]),
  userClaims: z.array(z.string()).default([]),
  /** Only issue this audience when the client names it with the RFC 8707 resource parameter. */
  requireResourceIndicator: z.boolean().default(false),
  /** RFC 9701 JWT introspection responses to this API: alg, encryption and keys (docs/signed-encrypted-responses.md). */
  ...responseCryptoResourceFields,
});

const claimValue = z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.unknown())]);

export const testUserSchema = z
  .object({
    subjectId: z.string().min(1).max(255),
    username: z.string().min(1).max(255),
    /** Plain password of a test user (like IdentityServer's TestUser). Prefer passwordHash. */
    password: z.string().optional(),
    /** argon2id encoded hash ($argon2id$...). */
    passwordHash: z.string().startsWith('$argon2').optional(),
    isActive: z.boolean().default(true),
    claims: z.record(z.string(), claimValue).default({}),
    ...mfaTestUserFields,
  })
  .refine((u) => u.password !== undefined || u.passwordHash !== undefined, {
    error: 'a user needs password or passwordHash',
  });

export const signingAlgorithm = z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']);

export const keysSchema = z.object({
  /** Signing algorithms; the first is the default for tokens. */
  algorithms: z.array(signingAlgorithm).min(1).default(['RS256']),
  /** How long a key signs before a new one takes over. */
  rotationInterval: duration.default(7776000),
  /** How long a new key is announced in the JWKS before it signs. */
  propagationTime: duration.default(1209600),
  /** How long a retired key stays in the JWKS. */
  retentionTime: duration.default(1209600),
  /** Key-encryption key (base64, 32 bytes) for private keys at rest; else keyEncryptionKeyFile. */
  keyEncryptionKey: z.string().optional(),
  /** Path of the key-encryption key; generated with mode 0600 when absent. Default `<dataDir>/kek.key`. */
  keyEncryptionKeyFile: z.string().optional(),
  /** Seconds between key-store checks by each node. */
  refreshInterval: duration.default(300),
});

/** Storage backend; see docs/storage.md. `DATABASE_URL` / `REDIS_URL` set `url` / `redisUrl` (and type postgres). */
export const storeSchema = z
  .object({
    type: z.enum(['memory', 'sqlite', 'postgres']).default('sqlite'),
    /** SQLite file; default `<dataDir>/gatehouse.db`. */
    sqlitePath: z.string().optional(),
    /** PostgreSQL connection URL (`postgres://user:password@host:5432/db`); required for type postgres. */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    /** Redis URL (`redis://host:6379`): ephemeral records, change notifications. Beside postgres only. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    /** PostgreSQL connections per process. */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /** Apply pending migrations on start; false: start refuses an outdated schema (run `gatehouse migrate`). */
    migrateOnStart: z.boolean().default(true),
    /** Seconds between purges of expired records. */
    purgeInterval: duration.default(300),
    /** Seconds between checks for configuration changed in the database (without Redis); 0 disables. */
    configPollInterval: duration.default(5),
  })
  .refine((s) => s.type !== 'postgres' || s.url !== undefined, { error: 'type postgres needs url (or DATABASE_URL)', path: ['url'] })
  .refine((s) => s.redisUrl === undefined || s.type === 'postgres', { error: 'redisUrl is used beside type postgres only', path: ['redisUrl'] });

export const serverSchema = z.object({
  port: z.number().int().min(0).max(65535).default(5000),
  host: z.string().default('0.0.0.0'),
  /** Every URL the server emits is built from this. Default `http://localhost:<port>` (`https://` with `tls`). */
  issuer: absoluteUri.optional(),
  /** Folder for the SQLite file and the key-encryption key. */
  dataDir: z.string().default('./data'),
  /** Largest request body accepted, in bytes. */
  bodyLimit: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** Largest single parameter value accepted, in characters. */
  parameterLimit: z.number().int().positive().default(4096),
  /** Milliseconds to receive a whole request body. */
  bodyTimeout: z.number().int().positive().default(10_000),
  /** Log one line per request at info level. */
  accessLog: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Serve https with this PEM certificate (chain) and key; the default issuer becomes `https://localhost:<port>`. */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /** `json` lines, `pretty` (pino-pretty), or `auto`: pretty when stdout is a terminal. */
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Milliseconds in-flight requests get to finish after SIGTERM before the process exits. */
  shutdownTimeout: z.number().int().positive().default(10_000),
  /**
   * Reverse proxies in front of the server whose header names the client's
   * address (rate limits, login lockout, access log). `false`: the socket's
   * address. `{ hops: N }`: N proxies are in front; `{ cidrs: [...] }`: proxies
   * at these addresses; both: a hop must satisfy both. The address is read
   * from `header` right to left, stopping at the first untrusted hop.
   */
  trustProxy: z
    .union([
      z.literal(false),
      z
        .object({
          hops: z.number().int().min(1).max(32).optional(),
          cidrs: z
            .array(z.string().refine((c) => parseCidr(c) !== undefined, { error: 'must be an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32)' }))
            .min(1)
            .optional(),
          /** The header your proxies write; the other one is ignored (a client could forge it). */
          header: z.enum(['x-forwarded-for', 'forwarded']).default('x-forwarded-for'),
        })
        .refine((t) => t.hops !== undefined || t.cidrs !== undefined, { error: 'needs hops, cidrs or both' }),
    ])
    .default(false),
});

export const uiSchema = z.object({
  productName: z.string().default('Gatehouse'),
  logoUrl: z.string().optional(),
  /** CSS custom properties, e.g. `{ "--gh-primary": "#1f6feb" }`. */
  colors: z.record(z.string().regex(/^--[a-z0-9-]+$/), z.string().regex(/^[#a-zA-Z0-9(),.% ]+$/)).default({}),
  /** Extra stylesheet URL loaded after the built-in one. */
  stylesheetUrl: z.string().optional(),
  defaultLocale: z.enum(['en', 'de']).default('en'),
  /** Base path of the built-in pages. */
  basePath: z.string().default('/ui'),
});

export const authenticationSchema = z.object({
  /** SSO session cookie lifetime in seconds (sliding). */
  cookieLifetime: duration.default(36000),
  /** Lifetime of a session when "remember me" is chosen. */
  rememberMeLifetime: duration.default(2592000),
  /**
   * Consecutive failed logins of one username from one client address before
   * that address must wait (soft lockout, ASVS V2.2.1; other addresses, such
   * as the account's owner, are not held back). The ceiling per username
   * across all addresses is `rateLimits.loginPerUsername`.
   */
  lockoutThreshold: z.number().int().positive().default(5),
  /** First wait after the threshold, in seconds; doubles per further failure from that address. */
  lockoutDuration: duration.default(60),
  /** Longest wait of one address for one username. */
  lockoutMaxDuration: duration.default(86400),
  /** Seconds an unfinished interaction lives once the user has signed in (consent and later pages). */
  interactionLifetime: duration.default(3600),
  /**
   * Seconds an interaction lives before anyone signed in (at most
   * `interactionLifetime`): unauthenticated requests store it, so it is short.
   */
  pendingInteractionLifetime: duration.default(600),
  /** Largest stored interaction (the validated authorization request), in bytes of JSON; a larger request is refused with invalid_request. */
  maxInteractionSize: z.number().int().min(1024).max(1048576).default(16384),
  /** Seconds a session lasts from sign-in however active it is; 0 = only the inactivity timeout applies. */
  absoluteSessionLifetime: duration.default(0),
  /** OpenID Connect Session Management 1.0: check_session_iframe and session_state. */
  checkSession: z.boolean().default(true),
  /** Seconds one back-channel logout POST may take. */
  backChannelLogoutTimeout: duration.default(5),
  /** Further attempts after a failed back-channel logout POST. */
  backChannelLogoutRetries: z.number().int().min(0).max(10).default(2),
  /**
   * Seconds between two passes of the back-channel logout outbox drain, run
   * by every node: deliveries left by a node that died (or whose retry is due
   * while its node is busy) are claimed and made by another node.
   */
  backChannelLogoutOutboxInterval: duration.default(5),
  /** Seconds a logout token is valid (Back-Channel Logout 1.0 §4 recommends at most two minutes). */
  logoutTokenLifetime: duration.default(120),
  /**
   * The `acr` of a sign-in, from its authentication methods (`amr`, RFC 8176):
   * the first rule whose `amr` are all among the sign-in's gives its `acr`,
   * else `default`; no acr claim when neither applies (docs/claims.md#acr-and-amr).
   */
  acr: z
    .object({
      rules: z.array(z.object({ amr: z.array(z.string().min(1)).min(1), acr: z.string().min(1).max(256) })).default([]),
      default: z.string().min(1).max(256).optional(),
    })
    .default({ rules: [] }),
});

/** The demo's protected test API (docs/resource-server.md#the-demo-api), served through the resource-server middleware. */
// The escaped \/ is kept: the pattern is published as is in gatehouse.schema.json.
// eslint-disable-next-line no-useless-escape
const TEST_API_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

export const testApiSchema = z.object({
  enabled: z.boolean().default(false),
  /** Path below the issuer; its RFC 9728 metadata is at `/.well-known/oauth-protected-resource<path>`. */
  path: z.string().regex(TEST_API_PATH, 'must be a path such as /api/test').default('/api/test'),
  /** The scope a token needs. */
  scope: z.string().min(1).default('api'),
});

export const clientAuthenticationSchema = z.object({
  /**
   * Compatibility for clients written before the 2025 audience-injection
   * guidance: also accept the token endpoint URL, and the URL of the endpoint
   * an assertion is presented to, as the `aud` of private_key_jwt and
   * client_secret_jwt assertions. Default: the issuer identifier only.
   */
  acceptEndpointAudience: z.boolean().default(false),
});

/** Outbound requests (JWKS, metadata documents, sector identifiers): docs/outbound-requests.md. */
export const outboundSchema = z.object({
  /** Milliseconds one outbound request may take in all (resolve, connect, answer). */
  timeout: z.number().int().positive().default(5000),
  /** Largest response body accepted, in bytes. */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Let client-supplied URLs reach private networks (RFC 1918, fc00::/7, 100.64/10); never loopback or link-local. */
  allowPrivateNetworks: z.boolean().default(false),
});

/** Subject identifiers (OIDC Core §8); docs/claims.md#pairwise-subject-identifiers. */
export const subjectsSchema = z.object({
  /**
   * The secret salt of pairwise subject identifiers (OIDC Core §8.1):
   * sub = SHA-256(sector identifier || local subject || salt). Keep it secret
   * and never change it: every pairwise sub changes with it.
   */
  pairwiseSalt: z.string().min(16, 'must be at least 16 characters').optional(),
});

export const configSchema = z.object({
  $schema: z.string().optional(),
  server: serverSchema.default(serverSchema.parse({})),
  store: storeSchema.default(storeSchema.parse({})),
  keys: keysSchema.default(keysSchema.parse({})),
  ui: uiSchema.default(uiSchema.parse({})),
  authentication: authenticationSchema.default(authenticationSchema.parse({})),
  clientAuthentication: clientAuthenticationSchema.default(clientAuthenticationSchema.parse({})),
  clients: z.array(clientSchema).default([]),
  /** Standard names (openid, profile, email, address, phone, offline_access) or full definitions. */
  identityResources: z.array(z.union([z.string(), identityResourceSchema])).default([]),
  apiScopes: z.array(apiScopeSchema).default([]),
  apiResources: z.array(apiResourceSchema).default([]),
  users: z.array(testUserSchema).default([]),
  events: eventsSchema.default(eventsSchema.parse({})),
  metrics: metricsSchema.default(metricsSchema.parse({})),
  health: healthSchema.default(healthSchema.parse({})),
  rateLimits: rateLimitsSchema.default(rateLimitsSchema.parse({})),
  testApi: testApiSchema.default(testApiSchema.parse({})),
  outbound: outboundSchema.default(outboundSchema.parse({})),
  /** OpenID Connect CIBA (docs/ciba.md). */
  ciba: cibaSchema.default(cibaSchema.parse({})),
  /** The device authorization grant (RFC 8628): docs/device-flow.md. */
  deviceFlow: deviceFlowSchema.default(deviceFlowSchema.parse({})),
  dpop: dpopSchema.default(dpopSchema.parse({})),
  /** Dynamic client registration (RFC 7591/7592): docs/registration.md. */
  registration: registrationSchema.default(registrationSchema.parse({})),
  /** Client ID Metadata Documents: docs/registration.md. */
  clientIdMetadataDocuments: clientIdMetadataDocumentsSchema.default(clientIdMetadataDocumentsSchema.parse({})),
  /** Account self-service pages, registration, password reset: docs/account.md. */
  account: accountSchema.default(accountSchema.parse({})),
  /** Outgoing mail (SMTP) of registration and password reset: docs/account.md#email. */
  email: emailSchema.optional(),
  /** Mutual TLS (RFC 8705): docs/mtls.md. */
  mtls: mtlsSchema.default(mtlsSchema.parse({})),
  /** Pushed authorization requests, RFC 9126 (docs/par-jar.md). */
  pushedAuthorization: pushedAuthorizationSchema.default(pushedAuthorizationSchema.parse({})),
  /** Request objects, RFC 9101 (docs/par-jar.md). */
  requestObjects: requestObjectsSchema.default(requestObjectsSchema.parse({})),
  /** External identity providers (docs/federation.md); more can be stored in the backend (`gatehouse providers`). */
  externalProviders: z.array(externalProviderSchema).default([]),
  federation: federationSchema.default(federationSchema.parse({})),
  subjects: subjectsSchema.default(subjectsSchema.parse({})),
  /** Multi-factor and passwordless sign-in (docs/mfa.md). */
  mfa: mfaSchema.default(mfaSchema.parse({})),
  /** The admin API (docs/admin-api.md). */
  admin: adminSchema.default(adminSchema.parse({})),
});

export type ConfigInput = ZodInput<typeof configSchema>;
export type Config = ZodOutput<typeof configSchema>;
export type ClientConfig = ZodOutput<typeof clientSchema>;
export type SecretConfig = ZodOutput<typeof secretSchema>;
export type IdentityResourceConfig = ZodOutput<typeof identityResourceSchema>;
export type ApiScopeConfig = ZodOutput<typeof apiScopeSchema>;
export type ApiResourceConfig = ZodOutput<typeof apiResourceSchema>;
export type TestUserConfig = ZodOutput<typeof testUserSchema>;
export type KeysConfig = ZodOutput<typeof keysSchema>;
export type SigningAlgorithm = ZodOutput<typeof signingAlgorithm>;
export type TokenEndpointAuthMethod = ZodOutput<typeof tokenEndpointAuthMethod>;
