/**
 * `gatehouse export` and `gatehouse apply`: the database-held configuration
 * (clients, resources, users) to a file and back, through a plan, in one
 * transaction. Exit codes of apply: 0 applied or no changes, 1 invalid file
 * or failure (nothing changed), 2 the plan deletes and `--allow-delete` was
 * not given (nothing changed).
 */
import type { Backend, StoredUser } from '../stores/types.js';
import { systemClock, type Clock } from '../model/types.js';
import { allDocuments, toConfigFile, type ConfigFile } from './format.js';
import { computePlan, type Plan } from './plan.js';

/** An apply that cannot go ahead, with the message to print; nothing was changed. */
export class ApplyError extends Error {
  override get name(): string {
    return 'ApplyError';
  }
}

/** Refusal of the memory backend, which keeps nothing past the process. */
export const MEMORY_REFUSAL =
  'this store cannot persist configuration (store.type "memory"): export and apply need store.type "sqlite" or "postgres" (or DATABASE_URL)';

function persistent(backend: Backend): Required<Pick<Backend, 'transact' | 'configDocuments'>> {
  if (!backend.transact || !backend.configDocuments) throw new ApplyError(MEMORY_REFUSAL);
  return { transact: backend.transact.bind(backend), configDocuments: backend.configDocuments };
}

/**
 * The stored state as a configuration-as-code file (stable order).
 *
 * @example writeFileSync('prod.json', JSON.stringify(await exportConfig(backend), null, 2));
 */
export async function exportConfig(backend: Backend): Promise<ConfigFile> {
  const { configDocuments } = persistent(backend);
  const { documents } = await configDocuments.load();
  return toConfigFile(documents, await backend.users.list());
}

/** The stored state a plan was made from. */
export interface PlannedState {
  plan: Plan;
  /** The configuration version the plan was computed against. */
  version: number;
  users: StoredUser[];
}

/** Computes the plan from the file to the stored state. */
export async function planApply(backend: Backend, file: ConfigFile): Promise<PlannedState> {
  const { configDocuments } = persistent(backend);
  const { version, documents } = await configDocuments.load();
  const users = await backend.users.list();
  return { plan: computePlan(file, documents, users), version, users };
}

/**
 * Applies a plan in ONE transaction: the documents are replaced by the file's,
 * users added, changed and deleted. When another writer changed the stored
 * configuration or users since the plan was made, nothing is written and an
 * {@link ApplyError} says to run again. Resolves to the new configuration version.
 */
export async function applyPlan(backend: Backend, file: ConfigFile, planned: PlannedState, clock: Clock = systemClock): Promise<number> {
  const { transact } = persistent(backend);
  const now = clock.now();
  const byId = new Map(file.users.map((u) => [u.subjectId, u]));
  const version = await transact(async (tx) => {
    // The version bump comes first: on PostgreSQL its row lock orders concurrent applies and imports.
    const next = await tx.configDocuments.replaceAll(allDocuments(file), now);
    const usersNow = await tx.users.list();
    if (next !== planned.version + 1 || JSON.stringify(usersNow) !== JSON.stringify(planned.users)) {
      throw new ApplyError('the stored configuration changed while this plan was made; nothing was applied, run apply again');
    }
    const userEntries = (action: string) =>
      planned.plan.entries.flatMap((x) => {
        const u = x.kind === 'user' && x.action === action ? byId.get(x.id) : undefined;
        return x.kind === 'user' && x.action === action ? [{ id: x.id, u }] : [];
      });
    // Deletes, then changes, then adds: a username freed by one entry can be taken by the next.
    for (const e of userEntries('delete')) await tx.users.delete(e.id);
    for (const { id, u } of userEntries('change')) {
      if (!u) continue;
      await tx.users.update(id, { username: u.username, passwordHash: u.passwordHash, claims: u.claims, isActive: u.isActive, updatedAt: now });
    }
    for (const { u } of userEntries('add')) {
      if (!u) continue;
      if (!(await tx.users.insert({ ...u, createdAt: now, updatedAt: now }))) {
        throw new ApplyError(`user "${u.username}" (${u.subjectId}): another stored user has this username or subject id; nothing was applied`);
      }
    }
    return next;
  });
  await backend.changes?.publish('config');
  return version;
}
