/**
 * `gatehouse keys list|rotate`: inspect and rotate the signing keys in the
 * configured store.
 */
import type { Config } from '../config/schema.js';
import { createKeyManager } from '../keys/key-manager.js';
import { KeyEncryptionError } from '../keys/key-encryption.js';
import { loadKeyEncryptionKey } from '../keys/load-key-encryption-key.js';
import { resolveKeysConfig, toKeyInfo } from '../keys/key-timeline.js';
import { systemClock, type Clock, type KeyInfo } from '../model/types.js';
import type { Backend } from '../stores/types.js';

/** Where the command writes (process.stdout / process.stderr fit). */
export interface TextSink {
  write(text: string): unknown;
}

export interface KeysCommandDeps {
  config: Config;
  /** An opened backend; the caller closes it. */
  backend: Backend;
  out: TextSink;
  err: TextSink;
  clock?: Clock;
  /** Key-encryption key; default {@link loadKeyEncryptionKey}(config). */
  kek?: Uint8Array;
}

const USAGE = `Usage: gatehouse keys <command>

Commands:
  list     show every signing key with its status and timeline
  rotate   create a new key per algorithm; it signs after keys.propagationTime
`;

/** ISO 8601 UTC without milliseconds. */
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Renders KeyInfo rows as an aligned text table. */
export function formatKeyTable(keys: readonly KeyInfo[]): string {
  const header = ['kid', 'alg', 'status', 'created', 'activates', 'retires', 'removed'];
  const rows = keys.map((k) => [k.kid, k.alg, k.status, iso(k.createdAt), iso(k.activatesAt), iso(k.retiresAt), iso(k.removedAt)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/**
 * Runs `gatehouse keys <args>`; resolves to the process exit code.
 *
 * @example
 * const code = await runKeysCommand(['list'], { config, backend, out: process.stdout, err: process.stderr });
 */
export async function runKeysCommand(args: readonly string[], deps: KeysCommandDeps): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? deps.err : deps.out).write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if ((command !== 'list' && command !== 'rotate') || rest.length > 0) {
    deps.err.write(`gatehouse keys: unknown arguments: ${args.join(' ')}\n\n${USAGE}`);
    return 1;
  }
  const clock = deps.clock ?? systemClock;
  try {
    if (command === 'list') {
      const now = clock.now();
      const { retentionTime } = resolveKeysConfig(deps.config.keys);
      const infos = (await deps.backend.keys.list())
        .map((k) => toKeyInfo(k, now, retentionTime))
        .sort((a, b) => a.activatesAt - b.activatesAt || a.alg.localeCompare(b.alg));
      deps.out.write(infos.length ? formatKeyTable(infos) : 'no signing keys yet (they are created when the server starts)\n');
      return 0;
    }
    const kek = deps.kek ?? (await loadKeyEncryptionKey(deps.config));
    const encryptionAlgorithms = deps.config.requestObjects.encryptionKeyAlg ? [deps.config.requestObjects.encryptionKeyAlg] : [];
    const manager = createKeyManager({ config: deps.config, store: deps.backend.keys, clock, kek, encryptionAlgorithms });
    const created = await manager.rotate();
    // Nodes on Redis refresh their JWKS at once; others at their next keys.refreshInterval.
    await deps.backend.changes?.publish('keys');
    const now = clock.now();
    for (const k of created) {
      const wait = k.activatesAt - now;
      const when = wait % 86400 === 0 ? `${wait / 86400}d` : `${Math.round(wait / 360) / 10}h`;
      deps.out.write(`created ${k.alg} key ${k.kid}: published now, signs from ${iso(k.activatesAt)} (in ${when})\n`);
    }
    deps.out.write('\n' + formatKeyTable(await manager.list()));
    return 0;
  } catch (err) {
    if (err instanceof KeyEncryptionError || (err instanceof Error && err.message.startsWith('keys.'))) {
      deps.err.write(`gatehouse keys ${command}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
