/**
 * Reads and changes a user's MFA document with compare-and-set: `update`
 * reads the document and its version, applies a pure change, and writes only
 * if nobody wrote in between (else reads again), so a TOTP step, a recovery
 * code or a passkey counter is consumed by one sign-in only.
 * A configured test user's `totpSecret` (demo and tests only) is the TOTP
 * factor of a user whose document does not exist yet.
 */
import type { Config } from '../config/schema.js';
import type { UserMfaTable } from '../stores/types.js';
import { parseMfaDocument, type MfaDocument } from './mfa-document.js';
import { sealSecret } from './secret-box.js';

const MAX_ATTEMPTS = 8;

export interface MfaRepository {
  load(subjectId: string): Promise<MfaDocument>;
  /**
   * Applies `change` to the current document and stores the result atomically.
   * `change` returns the new document and a result, or `{ keep: result }` to write nothing.
   */
  update<R>(subjectId: string, change: (doc: MfaDocument) => { doc: MfaDocument; result: R } | { keep: R }): Promise<R>;
}

export function createMfaRepository(deps: { table: UserMfaTable; config: Config; kek: Uint8Array; now: () => number }): MfaRepository {
  const seeds = new Map(deps.config.users.map((u) => [u.subjectId, u]));
  /** The document a configured test user starts with (totpSecret, mfaRequired). */
  const seeded = (subjectId: string): MfaDocument => {
    const u = seeds.get(subjectId);
    const doc: MfaDocument = {};
    if (u?.totpSecret) doc.totp = { sealedSecret: sealSecret(u.totpSecret.replace(/=+$/, ''), subjectId, deps.kek), createdAt: 0 };
    if (u?.mfaRequired) doc.required = true;
    return doc;
  };
  const read = async (subjectId: string) => {
    const stored = await deps.table.find(subjectId);
    return stored ? { doc: parseMfaDocument(stored.data), version: stored.version } : { doc: seeded(subjectId), version: 0 };
  };
  return {
    load: async (subjectId) => (await read(subjectId)).doc,
    async update(subjectId, change) {
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const { doc, version } = await read(subjectId);
        const out = change(structuredClone(doc));
        if ('keep' in out) return out.keep;
        if (await deps.table.put(subjectId, JSON.stringify(out.doc), version, deps.now())) return out.result;
      }
      throw new Error('the MFA data of this user changed concurrently too often');
    },
  };
}
