/**
 * Gatehouse started as the README starts it: `node dist/cli/main.js start
 * --config config/demo.json` in a child process, with its own temporary data
 * folder (SQLite, keys, KEK) on a free port. One per test file (beforeAll).
 * When dist/ is missing or older than src/, the TypeScript entry point runs
 * through vite-node instead, so a stale build never tests old code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { freePort } from './ports.js';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface CliServer {
  /** The issuer (default `http(s)://localhost:<port>`, as the demo contract says). */
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  close(): Promise<void>;
}

export interface CliServerOptions {
  /** Extra environment (ISSUER, TLS_CERT_FILE, ...). */
  env?: Record<string, string>;
  /** Config file relative to the project root. */
  config?: string;
  /** Serve https with these files (sets TLS_CERT_FILE / TLS_KEY_FILE). */
  tls?: { cert: string; key: string };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The command that runs the CLI: the build when it is current, else vite-node on the sources. */
export function cliCommand(): { cmd: string; args: string[] } {
  const built = join(ROOT, 'dist/cli/main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(ROOT, 'src'))) return { cmd: process.execPath, args: [built] };
  return { cmd: join(ROOT, 'node_modules/.bin/vite-node'), args: [join(ROOT, 'src/cli/main.ts'), '--'] };
}

/**
 * Starts `gatehouse start` and resolves once it listens.
 *
 * @example
 * const gh = await startCliServer();
 * await fetch(`${gh.url}/.well-known/openid-configuration`);
 * await gh.close();
 */
export async function startCliServer(opts: CliServerOptions = {}): Promise<CliServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-cli-server-'));
  const { cmd, args } = cliCommand();
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: String(port), GATEHOUSE_DATA_DIR: dataDir };
  delete env.ISSUER;
  delete env.TLS_CERT_FILE;
  delete env.TLS_KEY_FILE;
  if (opts.tls) Object.assign(env, { TLS_CERT_FILE: opts.tls.cert, TLS_KEY_FILE: opts.tls.key });
  Object.assign(env, opts.env);
  const child = spawn(cmd, [...args, 'start', '--config', opts.config ?? 'config/demo.json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gatehouse did not start within 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Gatehouse listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited with ${code}:\n${out}`));
    });
  });
  const url = (opts.env?.ISSUER ?? `${opts.tls ? 'https' : 'http'}://localhost:${port}`).replace(/\/$/, '');
  return {
    url,
    port,
    dataDir,
    child,
    output: () => out,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Makes this process's global fetch trust `caPem` besides the system roots
 * (what NODE_EXTRA_CA_CERTS does for a fresh process). Uses the Agent class
 * of Node's bundled undici, which has no public import in Node 20.
 */
export async function trustCaInFetch(caPem: string): Promise<void> {
  await fetch('data:,').catch(() => undefined);
  const g = globalThis as unknown as Record<symbol, { constructor: new (o: unknown) => unknown } | undefined>;
  const current = g[DISPATCHER];
  if (!current) throw new Error('cannot find the global fetch dispatcher of this Node version');
  g[DISPATCHER] = new current.constructor({ connect: { ca: [...tls.rootCertificates, caPem] } }) as never;
}
