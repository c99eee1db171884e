/**
 * `gatehouse import FILE`: loads the clients, resources and users of a
 * configuration file into the database, where every node picks them up
 * without a restart. Clients and resources replace the stored set as a
 * whole; users are added or updated by subject id (never deleted).
 */
import { documentsFromConfig } from '../config/database-config.js';
import { loadConfigFile, parseConfig } from '../config/load.js';
import { systemClock, type Clock } from '../model/types.js';
import type { Backend, StoredUser } from '../stores/types.js';
import { hashPassword } from '../users/password-hash.js';

export interface ImportDeps {
  /** An opened backend; the caller closes it. */
  backend: Backend;
  out: (s: string) => void;
  clock?: Clock;
}

/**
 * Validates FILE as a whole configuration and imports it; resolves to the summary line.
 *
 * @example
 * await importConfigFile('gatehouse.json', { backend, out: console.log });
 */
export async function importConfigFile(file: string, deps: ImportDeps): Promise<void> {
  const input = await loadConfigFile(file);
  const { config } = parseConfig(input, { source: file }); // a bad file fails here, with the path of every bad value
  const store = deps.backend.configDocuments;
  if (!store) throw new Error('this store keeps no configuration documents (use sqlite or postgres)');
  const now = (deps.clock ?? systemClock).now();
  const documents = documentsFromConfig(input);
  let added = 0;
  let updated = 0;
  for (const u of config.users) {
    const passwordHash = u.passwordHash ?? (u.password !== undefined ? await hashPassword(u.password) : undefined);
    // The config schema already refuses a user with neither; this tells the compiler.
    if (passwordHash === undefined) throw new Error(`users: ${u.username} needs password or passwordHash`);
    const existing = await deps.backend.users.findBySubject(u.subjectId);
    if (existing) {
      await deps.backend.users.update(u.subjectId, { username: u.username, passwordHash, claims: u.claims, isActive: u.isActive, updatedAt: now });
      updated++;
    } else {
      const row: StoredUser = {
        subjectId: u.subjectId,
        username: u.username,
        passwordHash,
        claims: u.claims,
        isActive: u.isActive,
        createdAt: now,
        updatedAt: now,
      };
      if (!(await deps.backend.users.insert(row))) throw new Error(`user "${u.username}": another user already has this username`);
      added++;
    }
  }
  const version = await store.replaceAll(documents, now);
  await deps.backend.changes?.publish('config');
  const count = (kind: string) => documents.filter((d) => d.kind === kind).length;
  deps.out(
    `imported ${count('client')} client(s), ${count('identityResource')} identity resource(s), ${count('apiScope')} API scope(s), ` +
      `${count('apiResource')} API resource(s); users: ${added} added, ${updated} updated; configuration version ${version}`,
  );
}
