/**
 * A real Redis server for tests: redis-server on loopback and a free port,
 * no persistence. Start once per test file; `redisUnavailable()` gives the
 * reason to skip when the binary is absent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL); `start()` starts a fresh, empty one on the same port (a no-op while one runs). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export function redisUnavailable(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0
    ? undefined
    : 'redis-server not on PATH (install redis-server)';
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const reason = redisUnavailable();
  if (reason) throw new Error(`Redis unavailable: ${reason}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    // Already running: nothing to do (a second server could not bind the port, and the first would be orphaned).
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('redis-server did not start');
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, destroy: stop };
}
