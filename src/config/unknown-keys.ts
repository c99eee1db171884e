/**
 * Unknown-key detection. `z.object` strips keys it does not know, so a typo
 * such as `redirectUri` (for `redirectUris`) would be silently ignored: a
 * classic misconfiguration. This walks the input beside the zod schema and
 * reports every key the schema does not declare, with a "did you mean" hint.
 */
import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { formatPath } from './config-error.js';

/** The parts of a zod 4 schema definition this walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** Removes wrappers (default, optional, pipe input, ...) to reach the schema that shapes the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every key in `input` that `schema` does not declare, at any depth.
 *
 * @example unknownKeys(clientSchema, { clientId: 'a', redirectUri: 'x' })
 * // [{ path: 'redirectUri', message: 'unknown key (did you mean "redirectUris"?)' }]
 */
export function unknownKeys(schema: z.ZodType, input: unknown, base: PropertyKey[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walk(schema, input, base, issues);
  return issues;
}

function walk(schema: z.ZodType, value: unknown, path: PropertyKey[], out: ConfigIssue[]): void {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'object' && def.shape && isPlainObject(value)) {
    const known = Object.keys(def.shape);
    for (const [key, v] of Object.entries(value)) {
      const child = def.shape[key];
      if (child) walk(child, v, [...path, key], out);
      else out.push({ path: formatPath([...path, key]), message: unknownKeyMessage(key, known) });
    }
  } else if (def.type === 'array' && def.element && Array.isArray(value)) {
    const element = def.element;
    value.forEach((item, i) => walk(element, item, [...path, i], out));
  } else if (def.type === 'record' && def.valueType && isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) walk(def.valueType, v, [...path, key], out);
  } else if (def.type === 'union' && def.options && isPlainObject(value)) {
    // Check against the object option that fits best (fewest unknown keys).
    const candidates = def.options.filter((o) => defOf(unwrap(o)).type === 'object');
    let best: ConfigIssue[] | undefined;
    for (const option of candidates) {
      const found: ConfigIssue[] = [];
      walk(option, value, path, found);
      if (!best || found.length < best.length) best = found;
    }
    if (best) out.push(...best);
  }
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const hint = closest(key, known);
  return hint ? `unknown key (did you mean "${hint}"?)` : 'unknown key';
}

/** The known key most like `key`: same letters ignoring case, or within a small edit distance. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
