/**
 * The plan of `gatehouse apply`: what changes between the stored state and a
 * file, entry by entry (adds, changes, deletes), with a per-field diff whose
 * secret values are masked.
 */
import type { ConfigDocument } from '../stores/types.js';
import { allDocuments, compare, sortKeys, toConfigFile, type ConfigFile, type FileUser } from './format.js';

export type Action = 'add' | 'change' | 'delete';

export interface FieldChange {
  /** JSON path inside the entry (`redirectUris[1]`, `claims.role`). */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface PlanEntry {
  action: Action;
  /** `client`, `identityResource`, `apiScope`, `apiResource` or `user`. */
  kind: string;
  /** clientId, resource name or the user's subjectId. */
  id: string;
  /** What a reader recognises the entry by (the username of a user). */
  label: string;
  fields: FieldChange[];
}

export interface Plan {
  entries: PlanEntry[];
  adds: number;
  changes: number;
  deletes: number;
}

const KIND_ORDER = ['client', 'identityResource', 'apiScope', 'apiResource', 'user'];

/**
 * Computes the plan that turns the stored state into the file's.
 *
 * @example const plan = computePlan(file, await store.load().then((s) => s.documents), await users.list());
 */
export function computePlan(file: ConfigFile, documents: readonly ConfigDocument[], users: readonly FileUser[]): Plan {
  const current = toConfigFile(documents, []);
  const entries: PlanEntry[] = [];
  const key = (d: ConfigDocument) => `${d.kind}\n${d.id}`;
  const before = new Map(allDocuments(current).map((d) => [key(d), d]));
  const after = new Map(allDocuments(file).map((d) => [key(d), d]));
  for (const [k, d] of after) {
    const old = before.get(k);
    if (!old) entries.push({ action: 'add', kind: d.kind, id: d.id, label: d.id, fields: diff(undefined, d.document) });
    else {
      const fields = diff(old.document, d.document);
      if (fields.length > 0) entries.push({ action: 'change', kind: d.kind, id: d.id, label: d.id, fields });
    }
  }
  for (const [k, d] of before) if (!after.has(k)) entries.push({ action: 'delete', kind: d.kind, id: d.id, label: d.id, fields: diff(d.document, undefined) });

  const stored = new Map(users.map((u) => [u.subjectId, userFields(u)]));
  const wanted = new Map(file.users.map((u) => [u.subjectId, userFields(u)]));
  for (const [sub, u] of wanted) {
    const old = stored.get(sub);
    const fields = diff(old, u);
    if (!old) entries.push({ action: 'add', kind: 'user', id: sub, label: u.username, fields });
    else if (fields.length > 0) entries.push({ action: 'change', kind: 'user', id: sub, label: u.username, fields });
  }
  for (const [sub, u] of stored) if (!wanted.has(sub)) entries.push({ action: 'delete', kind: 'user', id: sub, label: u.username, fields: diff(u, undefined) });

  entries.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compare(a.id, b.id));
  const count = (a: Action) => entries.filter((e) => e.action === a).length;
  return { entries, adds: count('add'), changes: count('change'), deletes: count('delete') };
}

const userFields = (u: FileUser): FileUser => ({
  subjectId: u.subjectId,
  username: u.username,
  passwordHash: u.passwordHash,
  claims: u.claims,
  isActive: u.isActive,
});

/** The leaf values that differ between two JSON values, by path. */
export function diff(before: unknown, after: unknown, path = ''): FieldChange[] {
  const a = sortKeys(before);
  const b = sortKeys(after);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isPlainObject(a) || isPlainObject(b)) {
    const ao = isPlainObject(a) ? a : {};
    const bo = isPlainObject(b) ? b : {};
    if ((a !== undefined && !isPlainObject(a)) || (b !== undefined && !isPlainObject(b))) return [{ path: path || '(entry)', before: a, after: b }];
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort(compare);
    return keys.flatMap((k) => diff(ao[k], bo[k], path ? `${path}.${k}` : k));
  }
  return [{ path: path || '(entry)', before: a, after: b }];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Fields whose values the plan never prints: password hashes, client secrets, keys. */
const SECRET_PATH = /(^|\.)(passwordHash|clientSecrets|secret|secrets|jwks|privateKey|keyEncryptionKey)(\.|\[|$)/i;

const show = (path: string, v: unknown) => (v === undefined ? '(none)' : SECRET_PATH.test(path) ? '***' : JSON.stringify(v));

/**
 * The plan as text: one line per entry, and with `diff` one line per changed field.
 *
 * @example out(formatPlan(plan, { diff: true }));
 */
export function formatPlan(plan: Plan, opts: { diff?: boolean } = {}): string {
  if (plan.entries.length === 0) return 'no changes';
  const sign = { add: '+', change: '~', delete: '-' } as const;
  const lines: string[] = [];
  for (const e of plan.entries) {
    lines.push(`${sign[e.action]} ${e.kind} ${e.label}${e.kind === 'user' ? ` (${e.id})` : ''}`);
    if (!opts.diff) continue;
    for (const f of e.fields) {
      if (e.action === 'add') lines.push(`    + ${f.path}: ${show(f.path, f.after)}`);
      else if (e.action === 'delete') lines.push(`    - ${f.path}: ${show(f.path, f.before)}`);
      else lines.push(`    ~ ${f.path}: ${show(f.path, f.before)} -> ${show(f.path, f.after)}`);
    }
  }
  lines.push(`plan: ${plan.adds} to add, ${plan.changes} to change, ${plan.deletes} to delete`);
  return lines.join('\n');
}
