/**
 * Defensive readers for a configuration that has not passed the schema yet,
 * so cross-field checks can run beside schema validation and every problem is
 * reported in one go. Indexes are kept so paths stay right.
 */

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The entries of an array, with non-objects read as `{}`; not an array reads as `[]`. */
export function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map((x) => (isRecord(x) ? x : {})) : [];
}

/** The entries of an array of strings, with non-strings read as undefined. */
export function strings(v: unknown): (string | undefined)[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : undefined)) : [];
}

/** A boolean setting, or its default when absent or not a boolean. */
export function flag(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
