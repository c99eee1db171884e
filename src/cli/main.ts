#!/usr/bin/env node
/** The `gatehouse` command line. */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { checkSectorIdentifiers } from '../config/sector-identifiers.js';
import { loadConfigFile, parseConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { hashSecret } from '../client-auth/secrets.js';
import type { GatehouseEvent } from '../model/types.js';
import { applyEnv, startServer } from './start.js';
import { openBackend } from '../stores/open-backend.js';
// The other commands' modules are imported by their case below, so that a
// server (`start`) does not load and keep them (memory, docs/benchmarks.md).

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  start [--config FILE] [--workers N]   serve the provider (PORT, ISSUER, TLS_CERT_FILE/TLS_KEY_FILE, DATABASE_URL, REDIS_URL env override)
  dev-cert [--out DIR] [--host NAME]    make a throwaway local CA and a localhost certificate (openssl)
  migrate [--config FILE]               apply pending database migrations (DATABASE_URL env override)
  import FILE [--config FILE]           load the clients, resources and users of FILE into the database
  import --from keycloak REALM.json     import a Keycloak realm export (clients, roles, users with PBKDF2 hashes)
  export [--out FILE]                   write the database's clients, resources and users to a file (JSON or YAML)
  apply FILE [--diff] [--allow-delete] [--yes]  plan and apply a configuration file in one transaction (exit 2: refused deletes)
  hash-secret [SECRET]                  print the SHA-256 hash of a client secret (reads stdin without SECRET)
  keys list|rotate [--config FILE]      show or rotate signing keys
  users add|set-password|list ...       manage the SQL user store
  sessions list|end [--sub|--client|--sid]  list or end server-side sessions (end sends back-channel logout)
  registration token create [--lifetime 1d] [--single-use]  mint an initial access token for client registration
  providers add|list|disable|enable|remove  manage external identity providers stored in the database
  admin-client create [--name NAME] [--read-only]  make a client-credentials client for the admin API (prints its secret once)
  check [--config FILE]                 validate a configuration file
  schema                                print the configuration JSON Schema
`;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
const err = (s: string) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);

async function loadConfig(args: string[]): Promise<{ input: ConfigInput; rest: string[] }> {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, workers: { type: 'string' } },
    allowPositionals: true,
    strict: false,
  });
  const file = typeof values.config === 'string' ? values.config : (process.env.GATEHOUSE_CONFIG ?? 'gatehouse.json');
  const input = applyEnv(await loadConfigFile(file), process.env);
  return { input, rest: positionals };
}

function stripConfigArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--config' || args[i] === '-c') i++;
    else if (!args[i].startsWith('--config=')) out.push(args[i]);
  }
  return out;
}

/** export, apply and `import --from keycloak` (src/cli/config-as-code.ts), over the configured database. */
async function runConfigAsCode(command: 'export' | 'apply' | 'import', args: string[]): Promise<number> {
  const rest = stripConfigArgs(args);
  const cac = await import('./config-as-code.js');
  let keycloakFile: string | undefined;
  if (command === 'import') {
    const { values, positionals } = parseArgs({ args: rest, options: { from: { type: 'string' } }, allowPositionals: true, strict: true });
    if (values.from !== 'keycloak' || positionals.length !== 1) return (err('usage: gatehouse import --from keycloak REALM.json [--config FILE]'), 1);
    keycloakFile = positionals[0];
  }
  const { input } = await loadConfig(args);
  const { config } = parseConfig(input);
  const backend = await openBackend(config);
  try {
    const deps = { backend, base: input as Record<string, unknown>, out, err, confirm: cac.terminalConfirm() };
    if (keycloakFile !== undefined) return await cac.runKeycloakImport(keycloakFile, deps);
    return await (command === 'export' ? cac.runExport(rest, deps) : cac.runApply(rest, deps));
  } finally {
    await backend.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start': {
      const { input } = await loadConfig(args);
      const { values } = parseArgs({
        args,
        options: { config: { type: 'string', short: 'c' }, workers: { type: 'string' } },
        strict: false,
        allowPositionals: true,
      });
      const workers = Number(values.workers ?? process.env.GATEHOUSE_WORKERS ?? 1);
      await startServer({ config: input, workers: Number.isInteger(workers) && workers > 0 ? workers : 1, out });
      return -1; // keep running
    }
    case 'migrate': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      let applied: string[] = [];
      // Redis holds no schema: migrate the SQL database only.
      const sqlOnly = { ...config, store: { ...config.store, redisUrl: undefined } };
      const backend = await openBackend(sqlOnly, { migrate: true, onMigrated: (names) => (applied = names) });
      await backend.close();
      out(applied.length > 0 ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database schema is up to date');
      return 0;
    }
    case 'export':
    case 'apply':
      return runConfigAsCode(command, args);
    case 'import': {
      if (args.some((a) => a === '--from' || a.startsWith('--from='))) return runConfigAsCode(command, args);
      const [file, ...extra] = stripConfigArgs(args);
      if (!file || extra.length > 0) return (err('usage: gatehouse import FILE [--config FILE]'), 1);
      const { importConfigFile } = await import('./import.js');
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const backend = await openBackend(config);
      try {
        await importConfigFile(file, { backend, out });
      } finally {
        await backend.close();
      }
      return 0;
    }
    case 'hash-secret': {
      const secret = args[0] ?? readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      if (!secret) return (err('hash-secret: no secret given'), 1);
      out(hashSecret(secret));
      return 0;
    }
    case 'check': {
      const { input } = await loadConfig(args);
      const { config, warnings } = parseConfig(input);
      await checkSectorIdentifiers(config);
      for (const w of warnings) err(`warning: ${w.path}: ${w.message}`);
      out('configuration is valid');
      return 0;
    }
    case 'dev-cert': {
      const { values } = parseArgs({
        args,
        options: { out: { type: 'string' }, host: { type: 'string', multiple: true }, days: { type: 'string' }, force: { type: 'boolean' } },
        strict: true,
      });
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && !(Number.isInteger(days) && days > 0 && days <= 825)) return (err('dev-cert: --days must be 1..825'), 1);
      const { makeDevCert } = await import('./dev-cert.js');
      const files = makeDevCert({ dir: values.out ?? 'data/dev-cert', hosts: values.host, days, force: values.force });
      out(`CA certificate (trust this one): ${files.caCert}`);
      out(`server certificate: ${files.cert}`);
      out(`server key: ${files.key}`);
      out(`start: TLS_CERT_FILE=${files.cert} TLS_KEY_FILE=${files.key} gatehouse start --config FILE`);
      out(`node clients: NODE_EXTRA_CA_CERTS=${files.caCert}`);
      return 0;
    }
    case 'schema': {
      const { configJsonSchema } = await import('../config/json-schema.js');
      out(JSON.stringify(configJsonSchema(), null, 2));
      return 0;
    }
    case 'keys': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const { runKeysCommand } = await import('./keys.js');
      const backend = await openBackend(config);
      try {
        return await runKeysCommand(stripConfigArgs(args), { config, backend, out: process.stdout, err: process.stderr });
      } finally {
        await backend.close();
      }
    }
    case 'users': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const { runUsersCommand } = await import('./users.js');
      return runUsersCommand(stripConfigArgs(args), { config, out, err });
    }
    case 'providers': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const { runProvidersCommand } = await import('./providers.js');
      const backend = await openBackend(config);
      try {
        if (!backend.federation) {
          err('this store keeps no external providers');
          return 1;
        }
        const { systemClock } = await import('../model/types.js');
        const configured = config.externalProviders.map((p) => ({ name: p.name, type: p.type, enabled: p.enabled }));
        return await runProvidersCommand(stripConfigArgs(args), { store: backend.federation, configured, out, err, clock: systemClock });
      } finally {
        await backend.close();
      }
    }
    case 'sessions': {
      const { input } = await loadConfig(args);
      const { createGatehouse } = await import('../provider.js');
      const { runSessionsCommand } = await import('./sessions.js');
      const events: GatehouseEvent[] = [];
      const { default: pino } = await import('pino');
      // Logs go to stderr so `sessions list --json` stays clean on stdout.
      const logger = pino({ level: 'warn', base: undefined }, pino.destination(2));
      const gh = await createGatehouse(input, { timers: false, logger, events: (e) => events.push(e) });
      try {
        return await runSessionsCommand(stripConfigArgs(args), { sessions: gh.sessions, out, err, events });
      } finally {
        await gh.close();
      }
    }
    case 'registration': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const { runRegistrationCommand } = await import('./registration.js');
      const backend = await openBackend(config);
      try {
        return await runRegistrationCommand(stripConfigArgs(args), { config, backend, out, err });
      } finally {
        await backend.close();
      }
    }
    case 'admin-client': {
      const { input } = await loadConfig(args);
      const { config } = parseConfig(input);
      const { runAdminClientCommand } = await import('./admin-client.js');
      const backend = await openBackend(config);
      try {
        return await runAdminClientCommand(stripConfigArgs(args), { config, backend, out, err });
      } finally {
        await backend.close();
      }
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return command ? 0 : 1;
    default:
      err(`unknown command: ${command}\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError) err(e.message);
    else err(`gatehouse: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
