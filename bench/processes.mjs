/**
 * Process plumbing of the benchmark: CPU-pinned children (taskset), the
 * provider and bare servers with readiness polling, and load-generator runs
 * that report one `BENCH_JSON` line.
 *
 * @example
 * const server = await startPinned('0', process.execPath, ['bench/bare-server.mjs'], { PORT: '5100' }, 'http://127.0.0.1:5100/health');
 * const result = await runPinned('1', process.execPath, ['bench/load.mjs', JSON.stringify(spec)]);
 * await server.stop();
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';

/** True when `cmd` can be executed (found on PATH). */
export function available(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error;
}

const hasTaskset = available('taskset', ['--version']);
export const pinningAvailable = hasTaskset;

/** spawn() arguments that pin `cmd` to `cpu` (taskset execs, so the pid is the command's). */
function pinnedArgs(cpu, cmd, args) {
  return hasTaskset && cpu !== '' ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.setTimeout(1000, () => req.destroy());
  });
}

/**
 * Starts a long-running pinned process and waits until `readyUrl` answers 200.
 * Its output goes to `log` (a writable stream) when given.
 */
export async function startPinned(cpu, cmd, args, env, readyUrl, log) {
  const [c, a] = pinnedArgs(cpu, cmd, args);
  const child = spawn(c, a, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d) => {
    output = (output + d).slice(-4000);
    log?.write(d);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} ${args.join(' ')} exited early:\n${output}`);
    if ((await get(readyUrl)) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${readyUrl} not ready within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    output: () => output,
    /** SIGTERM, then SIGKILL after 10 s; resolves when the process is gone. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * Runs a pinned process to completion and returns its parsed `BENCH_JSON`
 * line; `onSpawn(pid)` is called once it has started.
 */
export function runPinned(cpu, cmd, args, env = {}, onSpawn = undefined) {
  const [c, a] = pinnedArgs(cpu, cmd, args);
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    if (child.pid !== undefined) onSpawn?.(child.pid);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code} without a result:\n${out}\n${err}`));
      resolve(JSON.parse(line.slice('BENCH_JSON '.length)));
    });
  });
}
