/**
 * `{base}/audit`: the audit log, filtered (`action`, `resourceType`,
 * `resourceId`, `actor`, `since`, `until` in epoch seconds) and paged by
 * cursor; `{base}/audit/export`: every matching entry as NDJSON, one JSON
 * object a line (oldest first, at most {@link EXPORT_CAP} entries).
 */
import type { InternalRequest, InternalResponse } from '../core/types.js';
import type { AuditFilter, AuditLogStore } from '../stores/types.js';
import { adminJson, decodeCursor, encodeCursor, nextLink, pageLimit, queryValue } from './admin-http.js';
import { AdminProblem, notFound } from './problem.js';
import { methodNotAllowed } from './clients-resource.js';

/** The most entries one export answers (the rest: export again with `since`). */
export const EXPORT_CAP = 100_000;

type Cursor = { t: number; id: string };
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' && v !== null && typeof (v as Cursor).t === 'number' && typeof (v as Cursor).id === 'string';

function epoch(req: InternalRequest, name: string): number | undefined {
  const v = queryValue(req, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,12}$/.test(v)) throw new AdminProblem(400, 'Bad Request', `${name} must be epoch seconds`);
  return Number(v);
}

function filterOf(req: InternalRequest): AuditFilter {
  const f: AuditFilter = {};
  for (const name of ['action', 'resourceType', 'resourceId', 'actor'] as const) {
    const v = queryValue(req, name);
    if (v !== undefined) f[name] = v.slice(0, 200);
  }
  f.since = epoch(req, 'since');
  f.until = epoch(req, 'until');
  return f;
}

export function auditResource(log: AuditLogStore, pageSize: number, maxPageSize: number) {
  async function query(req: InternalRequest): Promise<InternalResponse> {
    const limit = pageLimit(req, pageSize, maxPageSize);
    const cursor = decodeCursor(queryValue(req, 'cursor'), isCursor);
    const found = await log.query({ ...filterOf(req), after: cursor && { time: cursor.t, id: cursor.id }, limit: limit + 1 });
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return adminJson(found.length > limit && last ? { items, next: nextLink(req, encodeCursor({ t: last.time, id: last.id })) } : { items });
  }

  async function exportNdjson(req: InternalRequest): Promise<InternalResponse> {
    const filter = filterOf(req);
    const lines: string[] = [];
    let after: AuditFilter['after'];
    while (lines.length < EXPORT_CAP) {
      const page = await log.query({ ...filter, after, limit: 1000 });
      for (const e of page) lines.push(JSON.stringify(e));
      const last = page.at(-1);
      if (page.length < 1000 || !last) break;
      after = { time: last.time, id: last.id };
    }
    return {
      status: 200,
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="gatehouse-audit.ndjson"',
        'cache-control': 'no-store',
      },
      body: lines.map((l) => `${l}\n`).join(''),
    };
  }

  return {
    handle(req: InternalRequest, rest: string[]): Promise<InternalResponse> {
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== 'export')) throw notFound(`no such resource ${req.path}`);
      if (req.method !== 'GET') throw methodNotAllowed('GET');
      return rest.length === 0 ? query(req) : exportNdjson(req);
    },
  };
}
