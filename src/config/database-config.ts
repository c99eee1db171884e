/**
 * Configuration data in the database: clients, identity resources, API scopes
 * and API resources stored as documents (`gatehouse import`), merged over the
 * configuration file (a database entry replaces the file entry of the same
 * id), and reloaded on every node when the stored version changes: at once on
 * a Redis notification, else at the next poll (`store.configPollInterval`).
 */
import type { Logger } from 'pino';
import type { ChangeFeed, ConfigDocument, ConfigDocumentKind, ConfigDocumentStore } from '../stores/types.js';
import { isAppSettings, mapAppSettings } from './appsettings.js';
import { parseConfig, type ParseConfigOptions } from './load.js';
import type { Config, ConfigInput } from './schema.js';

/** Config section of each document kind, and the field that names an entry. */
const SECTIONS: ReadonlyArray<[kind: ConfigDocumentKind, section: 'clients' | 'identityResources' | 'apiScopes' | 'apiResources', idField: string]> = [
  ['client', 'clients', 'clientId'],
  ['identityResource', 'identityResources', 'name'],
  ['apiScope', 'apiScopes', 'name'],
  ['apiResource', 'apiResources', 'name'],
];

/** A standard identity resource given by name (`"openid"`) is stored as `{ standard: "openid" }`. */
const STANDARD = 'standard';

const native = (input: unknown): Record<string, unknown> => (isAppSettings(input) ? mapAppSettings(input).input : (input ?? {})) as Record<string, unknown>;

/**
 * The documents of a configuration's clients and resources (the entries as
 * written, so defaults apply when they are loaded).
 *
 * @example
 * await backend.configDocuments.replaceAll(documentsFromConfig(await loadConfigFile('gatehouse.json')), now);
 */
export function documentsFromConfig(input: unknown): ConfigDocument[] {
  const doc = native(input);
  const out: ConfigDocument[] = [];
  for (const [kind, section, idField] of SECTIONS) {
    const entries = Array.isArray(doc[section]) ? (doc[section] as unknown[]) : [];
    for (const entry of entries) {
      if (typeof entry === 'string') out.push({ kind, id: entry, document: { [STANDARD]: entry } });
      else if (entry && typeof entry === 'object')
        out.push({ kind, id: String((entry as Record<string, unknown>)[idField]), document: entry as Record<string, unknown> });
    }
  }
  return out;
}

/** The input with each database document replacing the file entry of the same id, or added. */
export function mergeDocuments(input: unknown, documents: readonly ConfigDocument[]): ConfigInput {
  const doc = { ...native(input) };
  for (const [kind, section, idField] of SECTIONS) {
    const fromDb = documents.filter((d) => d.kind === kind);
    if (fromDb.length === 0) continue;
    const ids = new Set(fromDb.map((d) => d.id));
    const idOf = (e: unknown) => (typeof e === 'string' ? e : e && typeof e === 'object' ? String((e as Record<string, unknown>)[idField]) : undefined);
    const kept = (Array.isArray(doc[section]) ? (doc[section] as unknown[]) : []).filter((e) => !ids.has(idOf(e) ?? ''));
    const added = fromDb.map((d) => (typeof d.document[STANDARD] === 'string' ? d.document[STANDARD] : d.document));
    doc[section] = [...kept, ...added];
  }
  return doc;
}

/**
 * The effective configuration: the file's, merged with the database documents
 * when there are any. Invalid database entries fail like a bad file, with paths.
 */
export async function configWithDatabase(
  input: unknown,
  fileConfig: Config,
  store: ConfigDocumentStore | undefined,
  opts: ParseConfigOptions = {},
): Promise<{ config: Config; version: number }> {
  if (!store) return { config: fileConfig, version: 0 };
  const { version, documents } = await store.load();
  if (documents.length === 0) return { config: fileConfig, version };
  return { config: parseConfig(mergeDocuments(input, documents), { ...opts, source: 'configuration file + database' }).config, version };
}

export interface ConfigWatcherOptions {
  input: unknown;
  store: ConfigDocumentStore;
  changes?: ChangeFeed;
  /** The version the current configuration was built from. */
  version: number;
  /** Seconds between version checks; 0 disables polling. */
  pollInterval: number;
  logger: Pick<Logger, 'info' | 'error'>;
  parseOptions?: ParseConfigOptions;
  /** Installs a new effective configuration. */
  apply(config: Config): void;
}

/** Watches the stored version and applies a changed configuration; a bad one is logged and not applied. */
export function watchDatabaseConfig(o: ConfigWatcherOptions): { check(): Promise<void>; stop(): void } {
  let version = o.version;
  let running: Promise<void> | undefined;
  const reload = async () => {
    const current = await o.store.version();
    if (current === version) return;
    const { version: loaded, documents } = await o.store.load();
    const { config } = parseConfig(mergeDocuments(o.input, documents), { ...o.parseOptions, source: 'configuration file + database' });
    version = loaded;
    o.apply(config);
    o.logger.info({ version }, 'configuration reloaded from the database');
  };
  const check = () =>
    (running ??= reload()
      .catch((err: unknown) =>
        o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'configuration reload failed; keeping the current one'),
      )
      .finally(() => (running = undefined)));
  o.changes?.subscribe('config', () => void check());
  const timer = o.pollInterval > 0 ? setInterval(() => void check(), o.pollInterval * 1000) : undefined;
  timer?.unref();
  return { check, stop: () => clearInterval(timer) };
}
