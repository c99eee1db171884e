/**
 * The configuration-as-code file (`gatehouse export` / `gatehouse apply`):
 * what the database holds of a deployment's configuration, in one JSON or
 * YAML document with a stable order, so that re-exports diff cleanly.
 *
 *   { "format": "gatehouse-config", "version": 1,
 *     "clients": [...], "identityResources": [...], "apiScopes": [...], "apiResources": [...],
 *     "users": [{ "subjectId", "username", "passwordHash", "claims", "isActive" }] }
 *
 * Clients and resources are entries of the configuration file's sections of
 * the same name (src/config/schema.ts); their client secrets are the stored
 * SHA-256 hashes. A later `tenant` key at the top level scopes the whole
 * document to one tenant; version 1 files have none (the default tenant).
 */
import { ConfigError, formatPath, type ConfigIssue } from '../config/config-error.js';
import { validateConfig } from '../config/validate.js';
import type { ConfigDocument, ConfigDocumentKind, StoredUser } from '../stores/types.js';
import { z } from '../config/zod-runtime.js';
import { isPbkdf2Hash } from '../users/pbkdf2-hash.js';

export const FORMAT = 'gatehouse-config';
export const FORMAT_VERSION = 1;

/** Sections of the file that hold configuration documents, with the document kind and the field naming an entry. */
export const DOCUMENT_SECTIONS = [
  ['clients', 'client', 'clientId'],
  ['identityResources', 'identityResource', 'name'],
  ['apiScopes', 'apiScope', 'name'],
  ['apiResources', 'apiResource', 'name'],
] as const satisfies ReadonlyArray<readonly [string, ConfigDocumentKind, string]>;

export type DocumentSection = (typeof DOCUMENT_SECTIONS)[number][0];

/** A user as exported: the stored row without its timestamps. */
export interface FileUser {
  subjectId: string;
  username: string;
  passwordHash: string;
  claims: Record<string, unknown>;
  isActive: boolean;
}

export interface ConfigFile {
  format: typeof FORMAT;
  version: typeof FORMAT_VERSION;
  clients: Record<string, unknown>[];
  /** A standard identity resource is written by name (`"openid"`), as in the configuration file. */
  identityResources: Array<string | Record<string, unknown>>;
  apiScopes: Record<string, unknown>[];
  apiResources: Record<string, unknown>[];
  users: FileUser[];
}

const entry = (idField: string) => z.looseObject({ [idField]: z.string().min(1) });

const userSchema = z.strictObject({
  subjectId: z.string().min(1).max(255),
  username: z.string().min(1).max(255),
  passwordHash: z.string().refine((h) => h.startsWith('$argon2') || isPbkdf2Hash(h), {
    error: 'must be an argon2 PHC string or an imported $pbkdf2-<prf>$i=N$salt$key hash',
  }),
  claims: z.record(z.string(), z.unknown()).default({}),
  isActive: z.boolean().default(true),
});

const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(FORMAT_VERSION),
  clients: z.array(entry('clientId')).default([]),
  identityResources: z.array(z.union([z.string().min(1), entry('name')])).default([]),
  apiScopes: z.array(entry('name')).default([]),
  apiResources: z.array(entry('name')).default([]),
  users: z.array(userSchema).default([]),
});

/**
 * Validates a parsed file: the envelope, every user, every client and resource
 * (by the configuration schema, with paths into this file) and unique ids.
 * Throws a {@link ConfigError} listing every problem with its JSON path.
 *
 * @example const file = parseConfigFile(JSON.parse(text), 'prod.json');
 */
export function parseConfigFile(input: unknown, source?: string, base: Record<string, unknown> = {}): ConfigFile {
  const parsed = fileSchema.safeParse(input);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: 'unknown key' }))
          : [{ path: formatPath(i.path) || '(root)', message: i.message }],
      );
  try {
    validateConfig(effectiveInput(input, base), { source });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
  }
  if (parsed.success) issues.push(...duplicates(parsed.data));
  if (issues.length > 0) throw new ConfigError(sortByPath(dedupe(issues)), source);
  return parsed.data as ConfigFile;
}

/**
 * The configuration the nodes will run: the server's configuration file with
 * this file's entries replacing those of the same id. This file's entries come
 * first in each section, so a problem's path (`clients[2].redirectUris[0]`) is
 * its path in this file; references (a client's scopes) resolve across both.
 */
function effectiveInput(input: unknown, base: Record<string, unknown>): Record<string, unknown> {
  const raw = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  for (const [section, , idField] of DOCUMENT_SECTIONS) {
    const idOf = (e: unknown) => (typeof e === 'string' ? e : e && typeof e === 'object' ? (e as Record<string, unknown>)[idField] : undefined);
    const value: unknown = raw[section] ?? [];
    const mine: unknown[] | undefined = Array.isArray(value) ? (value as unknown[]) : undefined;
    const ids = new Set((mine ?? []).map(idOf));
    const others = (Array.isArray(base[section]) ? (base[section] as unknown[]) : []).filter((e) => !ids.has(idOf(e)));
    out[section] = mine ? [...mine, ...others] : value;
  }
  return out;
}

function duplicates(file: ConfigFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (section: string, ids: string[], what: string) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => (seen.has(id) ? issues.push({ path: `${section}[${i}]`, message: `duplicate ${what} "${id}"` }) : seen.add(id)));
  };
  // Clients and resources: the configuration's own checks name their duplicates.
  check(
    'users',
    file.users.map((u) => u.subjectId),
    'subjectId',
  );
  check(
    'users',
    file.users.map((u) => u.username.toLowerCase()),
    'username',
  );
  return issues;
}

/** Document order: `clients[2]` before `clients[10]`. */
function sortByPath(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(`${i.path}\n${i.message}`) ? false : (seen.add(`${i.path}\n${i.message}`), true)));
}

/** The documents of one section, as the database stores them (a standard resource by name becomes `{ standard }`). */
export function documentsOf(file: Pick<ConfigFile, DocumentSection>, section: DocumentSection): ConfigDocument[] {
  const [, kind, idField] = DOCUMENT_SECTIONS.find(([s]) => s === section) ?? DOCUMENT_SECTIONS[0];
  return (file[section] as Array<string | Record<string, unknown>>).map((e) =>
    typeof e === 'string' ? { kind, id: e, document: { standard: e } } : { kind, id: String(e[idField]), document: e },
  );
}

/** Every document of the file, in store order (kind, id). */
export function allDocuments(file: ConfigFile): ConfigDocument[] {
  return DOCUMENT_SECTIONS.flatMap(([section]) => documentsOf(file, section));
}

/**
 * The file of a stored state: sections sorted by id, object keys sorted
 * (deeply), so the same state always exports the same bytes.
 */
export function toConfigFile(documents: readonly ConfigDocument[], users: readonly StoredUser[]): ConfigFile {
  const section = (kind: ConfigDocumentKind) =>
    documents
      .filter((d) => d.kind === kind)
      .sort((a, b) => compare(a.id, b.id))
      .map((d) => (typeof d.document.standard === 'string' && Object.keys(d.document).length === 1 ? d.document.standard : sortKeys(d.document)));
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    clients: section('client') as Record<string, unknown>[],
    identityResources: section('identityResource'),
    apiScopes: section('apiScope') as Record<string, unknown>[],
    apiResources: section('apiResource') as Record<string, unknown>[],
    users: [...users]
      .sort((a, b) => compare(a.username, b.username) || compare(a.subjectId, b.subjectId))
      .map((u) => ({ subjectId: u.subjectId, username: u.username, passwordHash: u.passwordHash, claims: sortKeys(u.claims), isActive: u.isActive })),
  };
}

/** Code-point order: the same on every machine and locale. */
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A copy with every object's keys in code-point order (arrays keep theirs). */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort(compare)
        .map((k) => [k, sortKeys(obj[k])]),
    ) as T;
  }
  return value;
}
