/**
 * Finds the key-encryption key (KEK) that protects private signing keys at
 * rest, in this order: `keys.keyEncryptionKey`, env `GATEHOUSE_KEK`, the file
 * `keys.keyEncryptionKeyFile` (default `<server.dataDir>/kek.key`); when the
 * file does not exist, 32 random bytes are generated into it (mode 0600, its
 * folder 0700). A file that group or others may read is used, with a warning.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { KeyEncryptionError, newKeyEncryptionKey, parseKeyEncryptionKey } from './key-encryption.js';

/** Where {@link loadKeyEncryptionKey} reads or writes the KEK file. */
export function keyEncryptionKeyPath(config: Pick<Config, 'keys' | 'server'>): string {
  return resolve(config.keys.keyEncryptionKeyFile ?? join(config.server.dataDir, 'kek.key'));
}

/**
 * Loads (or on first start creates) the key-encryption key. `logger` is told
 * when the KEK file can be read by group or others.
 *
 * @example
 * const kek = await loadKeyEncryptionKey(config, process.env, logger);
 * const keys = createKeyManager({ config, store: backend.keys, clock, kek });
 */
export async function loadKeyEncryptionKey(
  config: Pick<Config, 'keys' | 'server'>,
  env: NodeJS.ProcessEnv = process.env,
  logger?: Pick<Logger, 'warn'>,
): Promise<Uint8Array> {
  if (config.keys.keyEncryptionKey) return parseKeyEncryptionKey(config.keys.keyEncryptionKey, 'keys.keyEncryptionKey');
  if (env.GATEHOUSE_KEK) return parseKeyEncryptionKey(env.GATEHOUSE_KEK, 'GATEHOUSE_KEK');
  const path = keyEncryptionKeyPath(config);
  const existing = await readKekFile(path);
  if (existing !== undefined) {
    if (logger) await warnWhenShared(path, logger);
    return existing;
  }
  await createKekFile(path);
  // Read back what won: ours, or the file of a process that raced us.
  const created = await readKekFile(path);
  if (created === undefined) throw new KeyEncryptionError(`${path}: key-encryption key file vanished after creation`);
  return created;
}

/**
 * Warns (naming the file, never its content) when group or others have any
 * access to the KEK file: whoever reads it can decrypt the signing keys.
 * Windows has no such mode bits.
 */
async function warnWhenShared(path: string, logger: Pick<Logger, 'warn'>): Promise<void> {
  if (process.platform === 'win32') return;
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  logger.warn(
    { path, mode: `0${mode.toString(8)}` },
    `the key-encryption key file ${path} is open to group or others (mode 0${mode.toString(8)}); whoever reads it can decrypt the signing keys: chmod 600 it`,
  );
}

async function readKekFile(path: string): Promise<Uint8Array | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyEncryptionError(`${path}: cannot read the key-encryption key (${(err as Error).message})`);
  }
  return parseKeyEncryptionKey(text, path);
}

/**
 * Creates the KEK file without ever overwriting one: the key is written
 * completely to a private temp file (flag 'wx', mode 0600) and then hard-linked
 * into place, which fails with EEXIST when another process won the race, so a
 * reader never sees a half-written file. Where hard links are unsupported the
 * file is written directly with flag 'wx'.
 */
async function createKekFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const content = `${newKeyEncryptionKey()}\n`;
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { flag: 'wx', mode: 0o600 });
    try {
      await link(tmp, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
      await writeFile(path, content, { flag: 'wx', mode: 0o600 }).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      });
    }
  } catch (err) {
    throw new KeyEncryptionError(`${path}: cannot create the key-encryption key (${(err as Error).message})`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
