/**
 * Reads an IdentityServer `appsettings.json`: the `IdentityServer` section
 * (PascalCase, as bound by `AddInMemoryClients(Configuration.GetSection(...))`)
 * becomes Gatehouse's camelCase model. Other top-level sections (Logging,
 * AllowedHosts, ConnectionStrings, ...) are ignored.
 */
import type { ConfigIssue, ConfigWarning } from './config-error.js';
import { formatPath } from './config-error.js';
import { isRecord } from './loose-input.js';
import * as T from './appsettings-tables.js';

export interface AppSettingsResult {
  /** The section in Gatehouse's input model, ready for `parseConfig`. */
  input: Record<string, unknown>;
  /** IdentityServer settings that were dropped with a non-default value. */
  warnings: ConfigWarning[];
  /** Values that could not be read (e.g. malformed JSON claim values). */
  issues: ConfigIssue[];
}

/** Is this document an IdentityServer appsettings file (a top-level `IdentityServer` key)? */
export function isAppSettings(doc: unknown): doc is Record<string, unknown> {
  return isRecord(doc) && 'IdentityServer' in doc;
}

interface Ctx {
  warnings: ConfigWarning[];
  issues: ConfigIssue[];
}
type Path = PropertyKey[];

const lowerFirst = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);

/** Lower-camels every key, recursively, and drops nulls (.NET's "not set"). */
function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[lowerFirst(k)] = camelize(v);
  return out;
}

const isEmpty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);

/** Drops a known-but-unsupported setting; warns unless it holds IdentityServer's default. */
function ignored(table: T.IgnoredSettings, key: string, value: unknown, path: Path, ctx: Ctx): boolean {
  if (!(key in table)) return false;
  if (!isEmpty(value) && value !== table[key]) {
    ctx.warnings.push({ path: formatPath([...path, key]), message: 'IdentityServer setting not supported by Gatehouse; ignored' });
  }
  return true;
}

/**
 * Maps an appsettings document onto the native input model.
 *
 * @example
 * const { input } = mapAppSettings({ IdentityServer: { Clients: [{ ClientId: 'm2m', AllowedGrantTypes: ['client_credentials'] }] } });
 * input.clients // [{ clientId: 'm2m', allowedGrantTypes: ['client_credentials'] }]
 */
export function mapAppSettings(doc: Record<string, unknown>): AppSettingsResult {
  const ctx: Ctx = { warnings: [], issues: [] };
  const section = doc.IdentityServer;
  const input: Record<string, unknown> = {};
  if (!isRecord(section)) {
    ctx.issues.push({ path: 'IdentityServer', message: 'must be an object' });
    return { input, ...ctx };
  }
  const at: Path = ['IdentityServer'];
  const list = (v: unknown, map: (item: Record<string, unknown>, path: Path) => unknown, key: string) =>
    Array.isArray(v) ? (v as unknown[]).map((item, i) => (isRecord(item) ? map(item, [...at, key, i]) : item)) : v;
  for (const [key, value] of Object.entries(section)) {
    if (value === null || ignored(T.IGNORED_SECTION_SETTINGS, key, value, at, ctx)) continue;
    if (key === 'Clients') input.clients = list(value, (c, p) => mapClient(c, p, ctx), key);
    else if (key === 'IdentityResources') input.identityResources = list(value, (r, p) => mapResource(r, p, ctx, T.IGNORED_SCOPE_SETTINGS), key);
    else if (key === 'ApiScopes') input.apiScopes = list(value, (r, p) => mapResource(r, p, ctx, T.IGNORED_SCOPE_SETTINGS), key);
    else if (key === 'ApiResources') input.apiResources = list(value, (r, p) => mapResource(r, p, ctx, T.IGNORED_RESOURCE_SETTINGS), key);
    else if (key === 'TestUsers' || key === 'Users') input.users = list(value, (u, p) => mapUser(u, p, ctx), key);
    else if (key === 'IssuerUri') {
      // IdentityServer reads an empty or blank IssuerUri as not set (the issuer then comes from the request's host; here from PORT/ISSUER).
      if (!(typeof value === 'string' && value.trim() === '')) input.server = { issuer: value };
    } else input[lowerFirst(key)] = camelize(value);
  }
  addOfflineAccess(input);
  return { input, ...ctx };
}

/** IdentityServer's AllowOfflineAccess alone enables refresh tokens; Gatehouse lists them explicitly. */
function addOfflineAccess(input: Record<string, unknown>): void {
  const clients = Array.isArray(input.clients) ? input.clients.filter(isRecord) : [];
  const offline = clients.filter((c) => c.allowOfflineAccess === true);
  for (const c of offline) {
    for (const [key, value] of [
      ['allowedGrantTypes', 'refresh_token'],
      ['allowedScopes', 'offline_access'],
    ] as const) {
      const current = c[key];
      if (Array.isArray(current) && !current.includes(value)) c[key] = [...(current as unknown[]), value];
      else if (current === undefined) c[key] = [value];
    }
  }
  if (offline.length === 0) return;
  const resources = input.identityResources ?? (input.identityResources = []);
  const named = (r: unknown) => r === 'offline_access' || (isRecord(r) && r.name === 'offline_access');
  if (Array.isArray(resources) && !resources.some(named)) resources.push('offline_access');
}

function mapClient(raw: Record<string, unknown>, path: Path, ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const jwks: unknown[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || ignored(T.IGNORED_CLIENT_SETTINGS, key, value, path, ctx)) continue;
    if (key === 'ClientSecrets' && Array.isArray(value)) {
      out.clientSecrets = value.flatMap((s, i) => {
        if (!isRecord(s) || String(s.Type).toUpperCase() !== 'JWK') return [mapSecret(s)];
        const jwk = parseJson(s.Value, [...path, key, i, 'Value'], ctx);
        if (jwk !== undefined) jwks.push(jwk);
        return [];
      });
    } else if (key === 'Claims' && Array.isArray(value)) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- appsettings claim values are scalars; String() is the conversion IdentityServer applies
      out.claims = (value as unknown[]).map((c) => (isRecord(c) ? { type: c.Type, value: c.Value === undefined ? undefined : String(c.Value) } : c));
    } else if (key in T.ENUM_VALUES) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- enum names arrive as strings or numbers; anything else is not found and kept
      out[lowerFirst(key)] = T.ENUM_VALUES[key][String(value).toLowerCase()] ?? value;
    } else out[lowerFirst(key)] = camelize(value);
  }
  if (jwks.length > 0) out.jwks = { keys: jwks };
  return out;
}

/** A secret; .NET date-times without offset are read as UTC. */
function mapSecret(raw: unknown): unknown {
  const secret = camelize(raw);
  if (isRecord(secret) && typeof secret.expiration === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(secret.expiration)) {
    secret.expiration += 'Z';
  }
  return secret;
}

function mapResource(raw: Record<string, unknown>, path: Path, ctx: Ctx, ignore: T.IgnoredSettings): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || ignored(ignore, key, value, path, ctx)) continue;
    out[lowerFirst(key)] = key === 'ApiSecrets' && Array.isArray(value) ? value.map(mapSecret) : camelize(value);
  }
  return out;
}

function mapUser(raw: Record<string, unknown>, path: Path, ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || ignored(T.IGNORED_USER_SETTINGS, key, value, path, ctx)) continue;
    out[lowerFirst(key)] = key === 'Claims' && Array.isArray(value) ? claimRecord(value, [...path, key], ctx) : camelize(value);
  }
  return out;
}

/** `[{ Type, Value, ValueType }]` to a claims record; repeated types become arrays. */
function claimRecord(list: unknown[], path: Path, ctx: Ctx): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  list.forEach((c, i) => {
    if (!isRecord(c) || typeof c.Type !== 'string') {
      ctx.issues.push({ path: formatPath([...path, i]), message: 'a claim needs Type and Value' });
      return;
    }
    const value = claimValue(c.Type, c.Value, c.ValueType, [...path, i, 'Value'], ctx);
    const prior = claims[c.Type];
    claims[c.Type] = prior === undefined ? value : Array.isArray(prior) ? [...(prior as unknown[]), value] : [prior, value];
  });
  return claims;
}

function claimValue(type: string, value: unknown, valueType: unknown, path: Path, ctx: Ctx): unknown {
  if (typeof value !== 'string') return value;
  if (valueType === T.JSON_CLAIM_TYPE) return parseJson(value, path, ctx);
  if (valueType === T.BOOLEAN_CLAIM_TYPE || (valueType === undefined && T.BOOLEAN_CLAIMS.has(type))) {
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  }
  if (T.NUMBER_CLAIM_TYPES.has(String(valueType)) || (valueType === undefined && T.NUMBER_CLAIMS.has(type))) {
    if (value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  }
  return value;
}

function parseJson(value: unknown, path: Path, ctx: Ctx): unknown {
  try {
    return typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    ctx.issues.push({ path: formatPath(path), message: 'must be valid JSON' });
    return undefined;
  }
}
