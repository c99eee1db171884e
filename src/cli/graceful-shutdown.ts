/**
 * Graceful shutdown of the standalone server: on SIGTERM (or SIGINT) the
 * server drains (readiness fails, so load balancers stop routing to it),
 * stops accepting connections, lets in-flight requests finish within
 * `server.shutdownTimeout`, then closes the store and exits.
 */
import type http from 'node:http';
import net from 'node:net';

export interface ShutdownTarget {
  servers: http.Server[];
  /** Starts draining (readiness 503). */
  drain(): void;
  /** Closes the provider (timers, rate-limit store, storage). */
  close(): Promise<void>;
  timeoutMs: number;
  out: (s: string) => void;
}

/**
 * Idle keep-alive connections stay open this long after shutdown starts: a
 * client that is about to send its next request on one gets it served (with
 * `Connection: close`) instead of a reset. Closing them at once, as
 * http.Server#close does, races with such requests.
 */
const IDLE_GRACE_MS = 1000;

/** Resolves when every connection of the server has ended, or after `ms` (then the rest are cut). */
function closeServer(server: http.Server, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve(true);
      return;
    }
    let done = false;
    let sweep: NodeJS.Timeout | undefined;
    const grace = setTimeout(
      () => {
        server.closeIdleConnections();
        sweep = setInterval(() => server.closeIdleConnections(), 50);
      },
      Math.min(IDLE_GRACE_MS, ms / 2),
    );
    const finish = (clean: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(grace);
      clearInterval(sweep);
      clearTimeout(timer);
      if (!clean) server.closeAllConnections();
      resolve(clean);
    };
    const timer = setTimeout(() => finish(false), ms);
    // Stop accepting; the callback runs once every open connection has ended.
    net.Server.prototype.close.call(server, () => finish(true));
  });
}

/** Answers with `Connection: close` once draining, so clients do not reuse a closing connection. */
export function closeConnectionsWhenDraining(server: http.Server, draining: () => boolean): void {
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    if (draining()) res.shouldKeepAlive = false;
  });
}

/** Stops the server; resolves with the exit code (0: every request finished in time). */
export async function shutdown(t: ShutdownTarget): Promise<number> {
  t.out(`Shutting down: finishing in-flight requests (up to ${t.timeoutMs} ms)`);
  t.drain();
  const finished = await Promise.all(t.servers.map((s) => closeServer(s, t.timeoutMs)));
  await t.close().catch((err: unknown) => t.out(`closing the store failed: ${err instanceof Error ? err.message : String(err)}`));
  const clean = finished.every(Boolean);
  t.out(clean ? 'Stopped.' : 'Stopped; requests still running at the deadline were cut.');
  return 0;
}

/**
 * Installs SIGTERM/SIGINT handlers. A second signal exits at once, unless
 * `forceOnSecond` is false (cluster workers: Ctrl-C reaches them and the
 * primary's SIGTERM follows; both mean the same graceful stop).
 */
export function onTerminate(run: () => Promise<number>, forceOnSecond = true): void {
  let started = false;
  const handler = () => {
    if (started) {
      if (forceOnSecond) process.exit(1);
      return;
    }
    started = true;
    run().then(
      (code) => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
