/**
 * `gatehouse start` as a real child process (vite-node runs the TypeScript
 * CLI, so tests do not depend on dist/). Resolves once the server listens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const VITE_NODE = join(ROOT, 'node_modules/.bin/vite-node');
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface GatehouseProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Compiles src/ into dist/ (tsc), for tests that need the built CLI:
 * node:cluster workers re-run the entry script, which vite-node cannot serve.
 */
export function buildDist(): void {
  if (distIsFresh()) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}

/**
 * Starts `gatehouse start --config <config> [args]` on `port`; env adds to
 * process.env. `dist: true` runs the built dist/cli/main.js (see {@link buildDist}).
 */
export async function startGatehouseProcess(opts: {
  config: string;
  port: number;
  env?: Record<string, string>;
  args?: string[];
  dist?: boolean;
}): Promise<GatehouseProcess> {
  const [cmd, entry] = opts.dist ? [process.execPath, [join(ROOT, 'dist/cli/main.js')]] : [VITE_NODE, [MAIN, '--']];
  const child = spawn(cmd, [...entry, 'start', '--config', opts.config, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(opts.port), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on port')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`gatehouse exited (${code ?? signal}) before listening: ${out}`)));
    setTimeout(() => reject(new Error(`gatehouse did not start within 60 s: ${out}`)), 60_000).unref();
  });
  return {
    url: `http://127.0.0.1:${opts.port}`,
    port: opts.port,
    child,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/** Runs a one-shot CLI command (`keys rotate`, `import`, ...); returns its exit status and output. */
export function runGatehouse(args: string[], env: Record<string, string> = {}) {
  return spawnSync(VITE_NODE, [MAIN, '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** True when every .ts/.tsx file under src/ has a dist/ counterpart written after it. */
function distIsFresh(): boolean {
  const src = join(ROOT, 'src');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
  return walk(src).every((file) => {
    const out = join(ROOT, 'dist', relative(src, file).replace(/\.tsx?$/, '.js'));
    return existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs;
  });
}
