/**
 * `gatehouse export`, `gatehouse apply` and `gatehouse import --from keycloak`
 * (docs/config-as-code.md). Exit codes of apply: 0 applied, no changes or plan
 * shown without --yes; 1 invalid file or failure (nothing changed); 2 the plan
 * deletes entries and --allow-delete was not given (nothing changed).
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { readConfigDocument } from '../config/load.js';
import type { Backend } from '../stores/types.js';
import { applyPlan, exportConfig, planApply } from '../config-as-code/apply.js';
import { parseConfigFile } from '../config-as-code/format.js';
import { formatPlan } from '../config-as-code/plan.js';
import { mapKeycloakRealm } from '../config-as-code/keycloak.js';
import { importKeycloak } from '../config-as-code/import-keycloak.js';

export interface ConfigAsCodeDeps {
  backend: Backend;
  /** The server's configuration input (what the nodes merge the database entries over). */
  base: Record<string, unknown>;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Asks a yes/no question; absent: not interactive. */
  confirm?: (question: string) => Promise<boolean>;
}

/** `export [--out FILE]`: JSON, or YAML when FILE ends in .yaml/.yml; the file is private (0600): it holds password hashes. */
export async function runExport(args: string[], deps: ConfigAsCodeDeps): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { out: { type: 'string', short: 'o' } }, allowPositionals: true, strict: true });
  if (positionals.length > 0) return (deps.err('usage: gatehouse export [--config FILE] [--out FILE]'), 1);
  const file = await exportConfig(deps.backend);
  const yaml = values.out !== undefined && ['.yaml', '.yml'].includes(extname(values.out).toLowerCase());
  const text = yaml ? (await import('yaml')).stringify(file, { lineWidth: 0 }) : `${JSON.stringify(file, null, 2)}\n`;
  if (values.out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  writeFileSync(values.out, text, { mode: 0o600 });
  deps.out(
    `exported ${file.clients.length} client(s), ${file.identityResources.length} identity resource(s), ${file.apiScopes.length} API scope(s), ${file.apiResources.length} API resource(s), ${file.users.length} user(s) to ${values.out}`,
  );
  return 0;
}

/** `apply FILE [--diff] [--allow-delete] [--yes]`. */
export async function runApply(args: string[], deps: ConfigAsCodeDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { diff: { type: 'boolean' }, 'allow-delete': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) return (deps.err('usage: gatehouse apply FILE [--config FILE] [--diff] [--allow-delete] [--yes]'), 1);
  const path = positionals[0];
  const file = parseConfigFile(await readConfigDocument(path), path, deps.base); // a bad file stops here: nothing read from or written to the store
  const planned = await planApply(deps.backend, file);
  const { plan } = planned;
  deps.out(formatPlan(plan, { diff: values.diff }));
  if (plan.entries.length === 0) return 0;
  if (plan.deletes > 0 && !values['allow-delete']) {
    deps.err(`refusing to delete ${plan.deletes} entr${plan.deletes === 1 ? 'y' : 'ies'} without --allow-delete; nothing was changed`);
    return 2;
  }
  if (!values.yes) {
    if (!deps.confirm) return (deps.out('not applied: run again with --yes to apply this plan'), 0);
    if (!(await deps.confirm('apply this plan? [y/N] '))) return (deps.out('not applied'), 0);
  }
  const version = await applyPlan(deps.backend, file, planned);
  deps.out(`applied: configuration version ${version}`);
  return 0;
}

/** `import --from keycloak FILE`: a Keycloak realm export; problems of single entries are listed and the rest imported. */
export async function runKeycloakImport(path: string, deps: ConfigAsCodeDeps): Promise<number> {
  const mapped = mapKeycloakRealm(await readConfigDocument(path), path);
  const r = await importKeycloak(deps.backend, mapped, { base: deps.base, source: path });
  for (const line of r.report) deps.err(`not imported: ${line}`);
  deps.out(
    `imported realm "${mapped.realm}": ${r.clients} client(s); users: ${r.usersAdded} added, ${r.usersUpdated} updated, ` +
      `${r.report.filter((l) => l.startsWith('user ')).length} not imported; configuration version ${r.version}`,
  );
  return 0;
}

/** A yes/no question on the terminal, when stdin is one. */
export function terminalConfirm(): ((q: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  };
}
