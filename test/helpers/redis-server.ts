/**
 * A real Redis server for tests: redis-server on loopback and a free port,
 * no persistence. Start once per test file; test files check for the program
 * first with `requirePrograms(['redis-server'])` (test/helpers/requirements.ts),
 * which skips them with one printed line when it is absent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './ports.js';
import { findProgram, programUnavailable } from './programs.js';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills the server (SIGKILL); `start()` starts a fresh, empty one on the same port (a no-op while one runs). */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Why Redis tests cannot run here, or undefined when they can. Prints and
 * records nothing: test files use `requirePrograms(['redis-server'])`.
 */
export function redisUnavailable(): string | undefined {
  return programUnavailable('redis-server');
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
  const redisServer = findProgram('redis-server');
  if (!redisServer) throw new Error(`Redis unavailable: ${redisUnavailable()}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    // Already running: nothing to do (a second server could not bind the port, and the first would be orphaned).
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
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
