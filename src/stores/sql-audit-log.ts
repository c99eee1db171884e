/**
 * The audit log in one SQL table (SQLite and PostgreSQL run the same kysely
 * queries). Append-only: this store has no update or delete.
 */
/* eslint-disable @typescript-eslint/no-unnecessary-type-conversion -- PostgreSQL hands bigint back as a string unless a parser is set */
import type { Kysely } from 'kysely';
import { AUDIT_QUERY_LIMIT } from './memory-audit-log.js';
import type { AuditLogTable, Schema } from './sqlite-schema.js';
import type { AuditEntry, AuditFilter, AuditLogStore } from './types.js';

function toEntry(row: AuditLogTable): AuditEntry {
  const changes = JSON.parse(row.changes) as { before?: unknown; after?: unknown };
  const e: AuditEntry = { id: row.id, time: Number(row.time), action: row.action, resourceType: row.resource_type, resourceId: row.resource_id };
  if (row.actor_subject !== null) e.actorSubject = row.actor_subject;
  if (row.actor_client_id !== null) e.actorClientId = row.actor_client_id;
  if (row.address !== null) e.address = row.address;
  if (row.request_id !== null) e.requestId = row.request_id;
  if (changes.before !== undefined) e.before = changes.before;
  if (changes.after !== undefined) e.after = changes.after;
  return e;
}

export class SqlAuditLog implements AuditLogStore {
  constructor(private readonly qb: Kysely<Schema>) {}

  async append(e: AuditEntry): Promise<void> {
    await this.qb
      .insertInto('audit_log')
      .values({
        id: e.id,
        time: e.time,
        actor_subject: e.actorSubject ?? null,
        actor_client_id: e.actorClientId ?? null,
        action: e.action,
        resource_type: e.resourceType,
        resource_id: e.resourceId,
        address: e.address ?? null,
        request_id: e.requestId ?? null,
        changes: JSON.stringify({ before: e.before, after: e.after }),
      })
      .execute();
  }

  async query(f: AuditFilter = {}): Promise<AuditEntry[]> {
    let q = this.qb.selectFrom('audit_log').selectAll();
    if (f.action !== undefined) q = q.where('action', '=', f.action);
    if (f.resourceType !== undefined) q = q.where('resource_type', '=', f.resourceType);
    if (f.resourceId !== undefined) q = q.where('resource_id', '=', f.resourceId);
    const actor = f.actor;
    if (actor !== undefined) q = q.where((eb) => eb.or([eb('actor_subject', '=', actor), eb('actor_client_id', '=', actor)]));
    if (f.since !== undefined) q = q.where('time', '>=', f.since);
    if (f.until !== undefined) q = q.where('time', '<', f.until);
    const after = f.after;
    if (after) q = q.where((eb) => eb.or([eb('time', '>', after.time), eb.and([eb('time', '=', after.time), eb('id', '>', after.id)])]));
    const limit = Math.min(Math.max(f.limit ?? AUDIT_QUERY_LIMIT, 0), AUDIT_QUERY_LIMIT);
    const rows = await q.orderBy('time').orderBy('id').limit(limit).execute();
    return rows.map(toEntry);
  }
}
