import { InvalidRequest } from '../errors.js';
import type { Params } from './types.js';

/** Parses `a=1&b=2&a=3` keeping repeats. */
export function parseParams(text: string): Params {
  const out: Params = new Map();
  if (!text) return out;
  for (const [k, v] of new URLSearchParams(text)) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/**
 * The single value of a parameter the spec allows once (RFC 6749 §3.1, §3.2:
 * "Request and response parameters MUST NOT be included more than once").
 * Empty values count as absent (RFC 6749 §3.1).
 */
export function single(params: Params, name: string, limit = 4096): string | undefined {
  const list = params.get(name);
  if (!list) return undefined;
  if (list.length > 1) throw new InvalidRequest(`parameter ${name} must not be repeated`);
  const v = list[0];
  if (v.length > limit) throw new InvalidRequest(`parameter ${name} is too long`);
  return v === '' ? undefined : v;
}

/** Like {@link single} but throws invalid_request when absent. */
export function required(params: Params, name: string, limit = 4096): string {
  const v = single(params, name, limit);
  if (v === undefined) throw new InvalidRequest(`missing required parameter: ${name}`);
  return v;
}

/** Space-delimited list parameter (scope, prompt, ...), deduplicated, order kept. */
export function spaceList(value: string | undefined): string[] {
  if (!value) return [];
  const parts = value.split(' ');
  // The common case (single spaces, no repeats) returns the split as is.
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '') return [...new Set(parts.filter(Boolean))];
    for (let j = 0; j < i; j++) if (parts[j] === p) return [...new Set(parts.filter(Boolean))];
  }
  return parts;
}
