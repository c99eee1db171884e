/** Per-user MFA documents in memory (tests, the memory backend): compare-and-set on the version, like the SQL table. */
import type { StoredUserMfa, UserMfaTable } from './types.js';

export class MemoryUserMfa implements UserMfaTable {
  private readonly docs = new Map<string, StoredUserMfa>();

  async find(subjectId: string): Promise<StoredUserMfa | undefined> {
    const d = this.docs.get(subjectId);
    return d && { ...d };
  }

  async put(subjectId: string, data: string, expectedVersion: number, now: number): Promise<boolean> {
    const current = this.docs.get(subjectId)?.version ?? 0;
    if (current !== expectedVersion) return false;
    this.docs.set(subjectId, { subjectId, data, version: expectedVersion + 1, updatedAt: now });
    return true;
  }

  async delete(subjectId: string): Promise<boolean> {
    return this.docs.delete(subjectId);
  }
}
