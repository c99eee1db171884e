/**
 * `gatehouse import --from keycloak realm.json`: writes a mapped realm export
 * (./keycloak.ts) into the database in one transaction. Clients and resources
 * are added or replaced by id, the others kept; users are added or updated by
 * subject id (the Keycloak user id, so `sub` stays the same), never deleted.
 */
import { systemClock, type Clock } from '../model/types.js';
import type { Backend, ConfigDocument } from '../stores/types.js';
import { ApplyError, MEMORY_REFUSAL } from './apply.js';
import { documentsOf, parseConfigFile, FORMAT, FORMAT_VERSION } from './format.js';
import type { KeycloakImport } from './keycloak.js';

export interface KeycloakImportResult {
  clients: number;
  usersAdded: number;
  usersUpdated: number;
  /** Per-entry problems: the mapping's report, then username clashes. */
  report: string[];
  version: number;
}

/**
 * Validates the mapped entries like an apply file (paths of every problem),
 * then imports them. The server's configuration file is `base`, so scope
 * references resolve as the nodes will resolve them.
 */
export async function importKeycloak(
  backend: Backend,
  mapped: KeycloakImport,
  opts: { base?: Record<string, unknown>; source?: string; clock?: Clock } = {},
): Promise<KeycloakImportResult> {
  if (!backend.transact || !backend.configDocuments) throw new ApplyError(MEMORY_REFUSAL);
  const file = parseConfigFile(
    {
      format: FORMAT,
      version: FORMAT_VERSION,
      clients: mapped.clients,
      identityResources: mapped.identityResources,
      apiScopes: mapped.apiScopes,
      users: mapped.users,
    },
    opts.source,
    opts.base,
  );
  const incoming = (['clients', 'identityResources', 'apiScopes'] as const).flatMap((s) => documentsOf(file, s));
  const now = (opts.clock ?? systemClock).now();
  const report = [...mapped.report];
  let usersAdded = 0;
  let usersUpdated = 0;
  const version = await backend.transact(async (tx) => {
    const { documents } = await tx.configDocuments.load();
    const key = (d: ConfigDocument) => `${d.kind}\n${d.id}`;
    const merged = new Map(documents.map((d) => [key(d), d]));
    for (const d of incoming) merged.set(key(d), d);
    const next = await tx.configDocuments.replaceAll([...merged.values()], now);
    for (const u of file.users) {
      if (await tx.users.findBySubject(u.subjectId)) {
        await tx.users.update(u.subjectId, { username: u.username, passwordHash: u.passwordHash, claims: u.claims, isActive: u.isActive, updatedAt: now });
        usersUpdated++;
      } else if (await tx.users.insert({ ...u, createdAt: now, updatedAt: now })) usersAdded++;
      else report.push(`user ${u.username}: another stored user has this username; skipped`);
    }
    return next;
  });
  await backend.changes?.publish('config');
  return { clients: file.clients.length, usersAdded, usersUpdated, report, version };
}
