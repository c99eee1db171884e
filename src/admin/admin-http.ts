/**
 * Request and response helpers of the admin API: JSON bodies checked against
 * a zod schema (every problem with its path), ETags and `If-Match`
 * (RFC 9110 §13.1.1, RFC 6585 §3 428), cursors of list pages.
 */
import { createHash } from 'node:crypto';
import type { ZodType } from 'zod';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { AdminProblem, fieldProblem } from './problem.js';

/** The request body as `schema`'s output; 400/415 problems otherwise. */
export function readBody<T>(req: InternalRequest, schema: ZodType<T>, emptyAllowed = false): T {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = req.text ?? '';
  let value: unknown = {};
  if (text.trim() !== '' || !emptyAllowed) {
    if (type !== 'application/json' && !type.endsWith('+json')) throw new AdminProblem(415, 'Unsupported Media Type', 'the body must be application/json');
    try {
      value = JSON.parse(text);
    } catch {
      throw new AdminProblem(400, 'Bad Request', 'the body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => fieldProblem(i.path, i.message));
  throw new AdminProblem(422, 'Unprocessable Content', `the body has ${errors.length} invalid value${errors.length === 1 ? '' : 's'}`, { errors });
}

/** A strong ETag of a resource's representation. */
export function etagOf(value: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;
}

/**
 * RFC 9110 §13.1.1 If-Match: the change goes ahead only when the current
 * ETag is listed (or `*`). `required` (updates): a missing If-Match is 428
 * Precondition Required (RFC 6585 §3), so concurrent edits never overwrite each other silently.
 */
export function checkIfMatch(req: InternalRequest, current: string, required: boolean): void {
  const header = req.headers['if-match'];
  if (header === undefined) {
    if (required) throw new AdminProblem(428, 'Precondition Required', 'send If-Match with the ETag of the resource you read');
    return;
  }
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes('*') && !tags.includes(current)) {
    throw new AdminProblem(412, 'Precondition Failed', 'the resource changed since you read it (its ETag differs from If-Match); read it again', {
      headers: { etag: current },
    });
  }
}

/** A JSON answer of the admin API, never cached. */
export function adminJson(body: unknown, status = 200, headers: Record<string, string> = {}): InternalResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

/** An opaque cursor: base64url JSON of the position after the page's last item. */
export const encodeCursor = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');

export function decodeCursor<T>(cursor: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (valid(v)) return v;
  } catch {
    /* answered below */
  }
  throw new AdminProblem(400, 'Bad Request', 'the cursor is not one this API gave out');
}

/** The one value of a query parameter (a repeated one is a 400). */
export function queryValue(req: InternalRequest, name: string): string | undefined {
  const values = req.query.get(name);
  if (!values) return undefined;
  if (values.length > 1) throw new AdminProblem(400, 'Bad Request', `query parameter ${name} given more than once`);
  return values[0];
}

/** `limit` within 1..max, default `fallback`. */
export function pageLimit(req: InternalRequest, fallback: number, max: number): number {
  const raw = queryValue(req, 'limit');
  if (raw === undefined) return Math.min(fallback, max);
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new AdminProblem(400, 'Bad Request', `limit must be an integer from 1 to ${max}`);
  return Math.min(Number(raw), max);
}

/** The URL of the next page: the request's URL with `cursor` replaced. */
export function nextLink(req: InternalRequest, cursor: string): string {
  const url = new URL(req.url.href);
  url.searchParams.set('cursor', cursor);
  return url.href;
}
