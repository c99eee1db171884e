/**
 * Errors of the admin API as RFC 9457 problem details (`application/problem+json`).
 * Validation problems list every bad value with its JSON Pointer (RFC 6901)
 * and its path as the configuration errors print it (`redirectUris[0]`).
 */
import type { InternalResponse } from '../core/types.js';

export const PROBLEM_TYPE = 'application/problem+json';

/** One bad value of a request body. */
export interface FieldProblem {
  /** RFC 6901 JSON Pointer into the request body: `/redirectUris/0`. */
  pointer: string;
  /** The same place as a path: `redirectUris[0]`. */
  path: string;
  detail: string;
}

/** A problem the admin handler answers as is (thrown anywhere below it). */
export class AdminProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
  }
}

/** RFC 9457 §3.1: `type` is about:blank here (the status code's meaning), with a short `title` and a `detail`. */
export function problemResponse(p: AdminProblem, instance?: string): InternalResponse {
  const body: Record<string, unknown> = { type: 'about:blank', title: p.title, status: p.status };
  if (p.detail) body.detail = p.detail;
  if (instance) body.instance = instance;
  if (p.extra.errors) body.errors = p.extra.errors;
  return { status: p.status, headers: { 'content-type': PROBLEM_TYPE, 'cache-control': 'no-store', ...p.extra.headers }, body: JSON.stringify(body) };
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** A field problem from a zod issue path. */
export function fieldProblem(path: readonly PropertyKey[], detail: string): FieldProblem {
  const parts = path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p)));
  const dotted = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
  return { pointer: parts.length ? `/${parts.map(escapePointer).join('/')}` : '', path: dotted || '(body)', detail };
}

export const notFound = (what: string) => new AdminProblem(404, 'Not Found', what);
export const conflict = (detail: string) => new AdminProblem(409, 'Conflict', detail);
export const badRequest = (detail: string) => new AdminProblem(400, 'Bad Request', detail);
