/**
 * `gatehouse users ...`: manage the SQL user table.
 *
 *   users add <username> [--password P | --password-stdin] [--sub S] [--claim name=value ...]
 *   users set-password <username> [--password P | --password-stdin]
 *   users list
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { joinOptionValues } from './option-values.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../model/types.js';
import { openBackend } from '../stores/open-backend.js';
import type { Backend } from '../stores/types.js';
import { addUser, setPassword, UserAdminError } from '../users/user-admin.js';

export interface UsersCommandContext {
  config: Config;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Source for --password-stdin. Default process.stdin. */
  stdin?: AsyncIterable<string | Uint8Array>;
  clock?: Clock;
}

const USAGE = `usage:
  gatehouse users add <username> [--password P | --password-stdin] [--sub S] [--claim name=value ...]
  gatehouse users set-password <username> [--password P | --password-stdin]
  gatehouse users list`;

const PASSWORD_OPTIONS = { password: { type: 'string' }, 'password-stdin': { type: 'boolean' } } as const;
const OPTIONS = {
  add: { ...PASSWORD_OPTIONS, sub: { type: 'string' }, claim: { type: 'string', multiple: true } },
  'set-password': PASSWORD_OPTIONS,
  list: {},
} satisfies Record<string, ParseArgsConfig['options']>;

/** The parsed options of any users command (each command accepts a subset). */
type UsersValues = { password?: string; 'password-stdin'?: boolean; sub?: string; claim?: string[] };

/** `true`/`false` become booleans and `{...}`/`[...]` JSON; anything else stays a string (zip codes, phone numbers). */
function claimValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UserAdminError(`claim value is not valid JSON: ${raw}`);
    }
  }
  return raw;
}

function parseClaims(pairs: string[] = []): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserAdminError(`--claim expects name=value, got "${pair}"`);
    claims[pair.slice(0, eq)] = claimValue(pair.slice(eq + 1));
  }
  return claims;
}

async function readPassword(values: { password?: string; 'password-stdin'?: boolean }, ctx: UsersCommandContext) {
  if (values.password !== undefined && values['password-stdin']) throw new UserAdminError('use either --password or --password-stdin');
  if (values.password !== undefined) return values.password;
  if (!values['password-stdin']) throw new UserAdminError('a password is required: --password P or --password-stdin');
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin ?? process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Runs a `users` subcommand; returns the exit code.
 *
 * @example
 * process.exitCode = await runUsersCommand(['add', 'alice', '--password-stdin'], { config, out: console.log, err: console.error });
 */
export async function runUsersCommand(args: string[], ctx: UsersCommandContext): Promise<number> {
  const [command, ...rest] = args[0] === 'users' ? args.slice(1) : args;
  if (command === 'help' || command === '--help' || command === '-h') {
    ctx.out(USAGE);
    return 0;
  }
  if (command === undefined || !Object.hasOwn(OPTIONS, command)) {
    ctx.err(command === undefined ? USAGE : `unknown command: users ${command}\n${USAGE}`);
    return 1;
  }
  let parsed;
  try {
    const options = OPTIONS[command as keyof typeof OPTIONS];
    parsed = parseArgs({ args: joinOptionValues(rest, options), options, allowPositionals: true, strict: true });
  } catch (e) {
    ctx.err(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed as { values: UsersValues; positionals: string[] };
  const wanted = command === 'list' ? 0 : 1;
  if (positionals.length !== wanted) {
    ctx.err(`users ${command} expects ${wanted ? 'one username' : 'no arguments'}\n${USAGE}`);
    return 1;
  }
  const username = positionals[0];
  if (command !== 'list' && ctx.config.store.type === 'memory') {
    ctx.err('store.type is "memory": users would be lost on exit; configure the sqlite store');
    return 1;
  }
  if (command !== 'list' && ctx.config.users.some((u) => u.username === username)) {
    ctx.err(`"${username}" is a configured test user (config.users); change it in the configuration file`);
    return 1;
  }

  let backend: Backend | undefined;
  try {
    if (command === 'list') {
      backend = await openBackend(ctx.config, { clock: ctx.clock });
      return await list(backend, ctx);
    }
    const password = await readPassword(values, ctx);
    backend = await openBackend(ctx.config, { clock: ctx.clock });
    if (command === 'add') {
      const user = await addUser(backend, { username, password, subjectId: values.sub, claims: parseClaims(values.claim) }, ctx.clock);
      ctx.out(`added user "${user.username}" with subject ${user.subjectId}`);
    } else {
      await setPassword(backend, username, password, ctx.clock);
      ctx.out(`password of "${username}" changed`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UserAdminError) ctx.err(e.message);
    else ctx.err(`users ${command} failed: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  } finally {
    await backend?.close();
  }
}

async function list(backend: Backend, ctx: UsersCommandContext): Promise<number> {
  const rows: string[][] = ctx.config.users.map((u) => [u.subjectId, u.username, u.isActive ? 'active' : 'inactive', 'config']);
  for (const u of await backend.users.list()) rows.push([u.subjectId, u.username, u.isActive ? 'active' : 'inactive', 'database']);
  if (rows.length === 0) {
    ctx.out('no users');
    return 0;
  }
  ctx.out(['subject\tusername\tstatus\tsource', ...rows.map((r) => r.join('\t'))].join('\n'));
  return 0;
}
