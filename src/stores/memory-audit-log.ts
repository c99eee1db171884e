/** The audit log of the memory backend (tests, single process): an array, appended to only. */
import type { AuditEntry, AuditFilter, AuditLogStore } from './types.js';

/** Default and cap of {@link AuditFilter.limit}. */
export const AUDIT_QUERY_LIMIT = 1000;

/** Does the entry match every given field of the filter (the after-cursor included)? */
export function matchesAuditFilter(e: AuditEntry, f: AuditFilter): boolean {
  if (f.action !== undefined && e.action !== f.action) return false;
  if (f.resourceType !== undefined && e.resourceType !== f.resourceType) return false;
  if (f.resourceId !== undefined && e.resourceId !== f.resourceId) return false;
  if (f.actor !== undefined && e.actorSubject !== f.actor && e.actorClientId !== f.actor) return false;
  if (f.since !== undefined && e.time < f.since) return false;
  if (f.until !== undefined && e.time >= f.until) return false;
  if (f.after && (e.time < f.after.time || (e.time === f.after.time && e.id <= f.after.id))) return false;
  return true;
}

export class MemoryAuditLog implements AuditLogStore {
  private readonly entries: AuditEntry[] = [];

  append(entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
    return Promise.resolve();
  }

  query(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(filter.limit ?? AUDIT_QUERY_LIMIT, 0), AUDIT_QUERY_LIMIT);
    const sorted = this.entries.filter((e) => matchesAuditFilter(e, filter)).sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return Promise.resolve(structuredClone(sorted.slice(0, limit)));
  }
}
