/**
 * A Keycloak realm export (`kc.sh export --realm R`, or the admin console's
 * partial export) mapped to Gatehouse: clients, realm and client roles as a
 * `role` claim on users, and users with their PBKDF2 password hashes kept as
 * they are (src/users/pbkdf2-hash.ts) until the next sign-in re-hashes them
 * to argon2id. Whatever cannot be carried over is reported, entry by entry.
 */
import { hashSecret } from '../client-auth/secrets.js';
import { encodePbkdf2, type Pbkdf2Digest } from '../users/pbkdf2-hash.js';
import type { infer as ZodInfer } from 'zod';
import { z } from '../config/zod-runtime.js';
import { ConfigError, formatPath } from '../config/config-error.js';
import type { FileUser } from './format.js';

/** Clients every Keycloak realm has for its own consoles and brokering: never imported. */
const BUILT_IN_CLIENTS = new Set(['account', 'account-console', 'admin-cli', 'broker', 'realm-management', 'security-admin-console']);
/** Keycloak's PBKDF2 algorithm ids and their HMAC (Keycloak's Pbkdf2*PasswordHashProviderFactory). */
const PBKDF2: Record<string, Pbkdf2Digest> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };
/** Scopes a Keycloak client lists that map to Gatehouse's standard identity resources. */
const STANDARD_SCOPES = new Set(['profile', 'email', 'address', 'phone']);

const str = z.string();
const credentialSchema = z.looseObject({
  type: str.optional(),
  credentialData: str.optional(),
  secretData: str.optional(),
  // Keycloak before 11 kept the hash in these fields.
  hashedSaltedValue: str.optional(),
  salt: str.optional(),
  hashIterations: z.number().optional(),
  algorithm: str.optional(),
});
const userSchema = z.looseObject({
  id: str.optional(),
  username: str.min(1),
  enabled: z.boolean().optional(),
  email: str.optional(),
  emailVerified: z.boolean().optional(),
  firstName: str.optional(),
  lastName: str.optional(),
  credentials: z.array(credentialSchema).optional(),
  realmRoles: z.array(str).optional(),
  clientRoles: z.record(str, z.array(str)).optional(),
  serviceAccountClientId: str.optional(),
});
const clientSchema = z.looseObject({
  clientId: str.min(1),
  name: str.optional(),
  description: str.optional(),
  enabled: z.boolean().optional(),
  protocol: str.optional(),
  bearerOnly: z.boolean().optional(),
  publicClient: z.boolean().optional(),
  secret: str.optional(),
  rootUrl: str.optional(),
  redirectUris: z.array(str).optional(),
  webOrigins: z.array(str).optional(),
  standardFlowEnabled: z.boolean().optional(),
  implicitFlowEnabled: z.boolean().optional(),
  directAccessGrantsEnabled: z.boolean().optional(),
  serviceAccountsEnabled: z.boolean().optional(),
  defaultClientScopes: z.array(str).optional(),
  optionalClientScopes: z.array(str).optional(),
});
const realmSchema = z.looseObject({
  realm: str.min(1),
  clients: z.array(clientSchema).optional(),
  users: z.array(userSchema).optional(),
  clientScopes: z.array(z.looseObject({ name: str, protocol: str.optional() })).optional(),
});

type KeycloakClient = ZodInfer<typeof clientSchema>;
type KeycloakUser = ZodInfer<typeof userSchema>;

export interface KeycloakImport {
  realm: string;
  clients: Record<string, unknown>[];
  identityResources: Array<string | Record<string, unknown>>;
  apiScopes: Record<string, unknown>[];
  users: FileUser[];
  /** One line per entry (or part of one) not carried over, and why. */
  report: string[];
}

/**
 * Maps a parsed realm export. A document that is not a realm export throws a
 * {@link ConfigError} with the paths at fault; problems of single clients and
 * users are reported and the rest mapped.
 *
 * @example const { clients, users, report } = mapKeycloakRealm(JSON.parse(readFileSync('realm.json', 'utf8')));
 */
export function mapKeycloakRealm(input: unknown, source?: string): KeycloakImport {
  const parsed = realmSchema.safeParse(input);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path) || '(root)', message: i.message })),
      source,
    );
  const realm = parsed.data;
  const report: string[] = [];
  const customScopes = new Set(
    (realm.clientScopes ?? []).filter((s) => (s.protocol ?? 'openid-connect') === 'openid-connect' && !isKeycloakScope(s.name)).map((s) => s.name),
  );
  const usedStandard = new Set<string>(['openid']);
  const usedCustom = new Set<string>();
  let usesRoles = false;
  const clients: Record<string, unknown>[] = [];
  for (const c of realm.clients ?? []) {
    if (BUILT_IN_CLIENTS.has(c.clientId)) continue;
    const mapped = mapClient(c, report, (scope) => {
      if (scope === 'roles') return ((usesRoles = true), true);
      if (STANDARD_SCOPES.has(scope)) return (usedStandard.add(scope), true);
      if (customScopes.has(scope)) return (usedCustom.add(scope), true);
      return false;
    });
    if (mapped) clients.push(mapped);
  }
  const users: FileUser[] = [];
  for (const u of realm.users ?? []) {
    const user = mapUser(u, report);
    if (user) users.push(user);
  }
  const identityResources: Array<string | Record<string, unknown>> = [...usedStandard].sort();
  if (usesRoles) identityResources.push({ name: 'roles', displayName: 'Your roles', userClaims: ['role'] });
  const apiScopes = [...usedCustom].sort().map((name) => ({ name }));
  return { realm: realm.realm, clients, identityResources, apiScopes, users, report };
}

/** Keycloak's own scopes, which have no Gatehouse counterpart (their claims come with the standard ones). */
const isKeycloakScope = (name: string) => ['web-origins', 'acr', 'basic', 'role_list', 'microprofile-jwt', 'organization', 'offline_access'].includes(name);

function mapClient(c: KeycloakClient, report: string[], knownScope: (scope: string) => boolean): Record<string, unknown> | undefined {
  const at = `client ${c.clientId}`;
  if (c.protocol !== undefined && c.protocol !== 'openid-connect') return void report.push(`${at}: protocol "${c.protocol}" is not OpenID Connect; skipped`);
  if (c.bearerOnly) return void report.push(`${at}: bearer-only (a resource server, not a client); skipped`);
  const confidential = c.publicClient !== true;
  const grants: string[] = [];
  if (c.standardFlowEnabled !== false) grants.push('authorization_code', 'refresh_token');
  if (c.implicitFlowEnabled) report.push(`${at}: the implicit flow is not carried over (OAuth 2.0 Security BCP); use the authorization code flow`);
  if (c.directAccessGrantsEnabled) grants.push('password');
  if (c.serviceAccountsEnabled && confidential) grants.push('client_credentials');
  const redirectUris: string[] = [];
  for (const raw of c.redirectUris ?? []) {
    const uri = absolute(raw, c.rootUrl);
    if (uri && !uri.includes('*')) redirectUris.push(uri);
    else report.push(`${at}: redirect URI "${raw}" is a pattern or relative; Gatehouse compares redirect URIs exactly (add each one)`);
  }
  const origins = new Set<string>();
  for (const o of c.webOrigins ?? []) {
    if (o === '+') redirectUris.forEach((u) => origins.add(new URL(u).origin));
    else if (o === '*') report.push(`${at}: web origin "*" is not carried over; list the origins`);
    else {
      const origin = absolute(o);
      if (origin) origins.add(new URL(origin).origin);
      else report.push(`${at}: web origin "${o}" is not an origin; skipped`);
    }
  }
  const scopes = ['openid'];
  for (const s of [...(c.defaultClientScopes ?? []), ...(c.optionalClientScopes ?? [])]) {
    if (s === 'offline_access') continue;
    if (knownScope(s)) scopes.push(s);
    else if (!isKeycloakScope(s)) report.push(`${at}: client scope "${s}" is not defined in the realm; left out`);
  }
  const client: Record<string, unknown> = {
    clientId: c.clientId,
    enabled: c.enabled !== false,
    allowedGrantTypes: grants,
    requireClientSecret: confidential,
    redirectUris,
    allowedCorsOrigins: [...origins].sort(),
    allowedScopes: [...new Set(scopes)],
    allowOfflineAccess: [...(c.defaultClientScopes ?? []), ...(c.optionalClientScopes ?? [])].includes('offline_access'),
  };
  if (c.name && !c.name.startsWith('${')) client.clientName = c.name;
  if (c.description) client.description = c.description;
  if (confidential) {
    if (c.secret) client.clientSecrets = [{ value: hashSecret(c.secret) }];
    else report.push(`${at}: confidential client without a secret in the export (masked, or a JWT-authenticated client); add its secret or keys`);
  }
  if (grants.length === 0) report.push(`${at}: no flow enabled that Gatehouse offers; imported without grant types`);
  return client;
}

function absolute(raw: string, base?: string): string | undefined {
  try {
    return new URL(raw, base || undefined).href.replace(/\/$/, raw.endsWith('/') ? '/' : '');
  } catch {
    return undefined;
  }
}

function mapUser(u: KeycloakUser, report: string[]): FileUser | undefined {
  const at = `user ${u.username}`;
  if (u.serviceAccountClientId || u.username.startsWith('service-account-')) return undefined; // the client's credentials stand for it
  const password = (u.credentials ?? []).find((c) => c.type === 'password');
  if (!password) return void report.push(`${at}: no password credential (federated or passwordless account); skipped`);
  const hash = passwordHash(password);
  if (typeof hash !== 'string') return void report.push(`${at}: ${hash.problem}; skipped`);
  const claims: Record<string, unknown> = {};
  if (u.email) claims.email = u.email;
  if (u.emailVerified !== undefined && u.email) claims.email_verified = u.emailVerified;
  if (u.firstName) claims.given_name = u.firstName;
  if (u.lastName) claims.family_name = u.lastName;
  if (u.firstName || u.lastName) claims.name = [u.firstName, u.lastName].filter(Boolean).join(' ');
  const roles = [
    ...(u.realmRoles ?? []).filter((r) => !r.startsWith('default-roles-')),
    ...Object.entries(u.clientRoles ?? {}).flatMap(([client, rs]) => rs.map((r) => `${client}:${r}`)),
  ];
  if (roles.length > 0) claims.role = [...new Set(roles)].sort();
  return { subjectId: u.id ?? u.username, username: u.username, passwordHash: hash, claims, isActive: u.enabled !== false };
}

/** The encoded hash of a Keycloak password credential, or the reason it cannot be carried over. */
function passwordHash(c: ZodInfer<typeof credentialSchema>): string | { problem: string } {
  let algorithm: string | undefined;
  let iterations: number | undefined;
  let value: string | undefined;
  let salt: string | undefined;
  try {
    if (c.credentialData !== undefined || c.secretData !== undefined) {
      const data = JSON.parse(c.credentialData ?? '{}') as { algorithm?: unknown; hashIterations?: unknown };
      const secret = JSON.parse(c.secretData ?? '{}') as { value?: unknown; salt?: unknown };
      algorithm = typeof data.algorithm === 'string' ? data.algorithm : undefined;
      iterations = typeof data.hashIterations === 'number' ? data.hashIterations : undefined;
      value = typeof secret.value === 'string' ? secret.value : undefined;
      salt = typeof secret.salt === 'string' ? secret.salt : undefined;
    } else {
      ({ algorithm, hashIterations: iterations, hashedSaltedValue: value, salt } = c);
    }
  } catch {
    return { problem: 'password credential data is not JSON' };
  }
  const digest = algorithm === undefined ? undefined : PBKDF2[algorithm];
  if (!digest) return { problem: `unknown password hash format "${algorithm ?? '(none)'}" (supported: ${Object.keys(PBKDF2).join(', ')})` };
  if (!iterations || !Number.isInteger(iterations) || iterations < 1 || !value || !salt)
    return { problem: `${algorithm} hash without iterations, salt or value` };
  const key = Buffer.from(value, 'base64');
  const saltBytes = Buffer.from(salt, 'base64');
  if (key.length < 16 || saltBytes.length === 0) return { problem: `${algorithm} hash with an invalid salt or value` };
  return encodePbkdf2(digest, iterations, saltBytes, key);
}
