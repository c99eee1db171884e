/**
 * WAL checkpoints off the request path. By default SQLite checkpoints inside
 * whichever commit pushes the WAL past 1000 pages, so one request in a few
 * hundred pays for copying the WAL into the database file and an fsync. Here
 * the serving connection never checkpoints; a worker thread with its own
 * connection runs PASSIVE checkpoints on a timer (never blocking writers or
 * readers). Should the worker fail, the serving connection checkpoints itself
 * again, as SQLite does by default.
 *
 * The worker (a V8 isolate of its own, about 10 MiB resident) starts only
 * once the WAL first holds `startAt` bytes: a server that writes little, or
 * has not written yet, does not pay for it (docs/benchmarks.md, Memory).
 *
 * A checkpoint from another connection never lets the log start over under
 * sustained writes: SQLite rewinds the WAL only when a write begins on a
 * snapshot that is fully checkpointed, and the serving connection has always
 * appended more by then. The WAL file (and its index in shared memory, which
 * counts in the RSS) grew by a gigabyte within minutes of sustained load.
 * (A RESTART from the worker rarely gets the write lock between two writes.)
 * So once the file passes `walLimit`, the worker stops and the serving
 * connection runs a RESTART checkpoint itself between requests: it copies
 * the frames written since the worker's last checkpoint and makes its own
 * next write rewind the log, which also cuts the file back to `walLimit`.
 * That blocks the event loop for a few milliseconds once per `walLimit` of
 * writes (64 MiB by default); a tick that meets the worker's checkpoint in
 * progress (SQLITE_BUSY) tries again on the next.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const { statSync } = require('node:fs');
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
// Past the limit the serving connection checkpoints (so the log starts over); the worker keeps out of its way.
const checkpoint = () => { try { if (walSize() <= workerData.walLimit) db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** SQLite's default checkpoint threshold in pages, restored when the worker is gone. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** WAL size in bytes at which the worker starts (a quarter of SQLite's own 1000-page threshold). */
const DEFAULT_START_AT = 1 << 20;
/** WAL size in bytes the file is cut back to, and past which the serving connection checkpoints. */
const DEFAULT_WAL_LIMIT = 64 << 20;

export interface CheckpointerOptions {
  /** WAL bytes at which the worker starts. Default 1 MiB. */
  startAt?: number;
  /** WAL bytes past which the serving connection checkpoints so the log starts over; the file is cut back to this. Default 64 MiB. */
  walLimit?: number;
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Takes over the checkpoints of a WAL-mode database file: the serving
 * connection stops checkpointing at once, and the worker starts when the WAL
 * first reaches `startAt` bytes (checked every `intervalMs`); past `walLimit`
 * the serving connection checkpoints, so the log starts over.
 *
 * @example
 * const cp = startCheckpointer(db, '/data/gatehouse.db', 250);
 * await cp.stop(); // before db.close()
 */
export function startCheckpointer(db: Database.Database, path: string, intervalMs: number, opts: CheckpointerOptions = {}): Checkpointer {
  const { startAt = DEFAULT_START_AT, walLimit = DEFAULT_WAL_LIMIT } = opts;
  // import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
  const module = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href).resolve('better-sqlite3');
  // Cap the WAL file left behind after a checkpoint (bytes).
  db.pragma(`journal_size_limit = ${walLimit}`);
  db.pragma('wal_autocheckpoint = 0');
  let worker: Worker | undefined;
  let stopped = false;
  let exited = false;
  const fallback = () => {
    if (!stopped && db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  const walSize = () => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  };
  const spawn = () => {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, intervalMs, walLimit } });
    worker.unref();
    worker.once('error', fallback);
    worker.once('exit', () => {
      exited = true;
      fallback();
    });
  };
  const watch = setInterval(() => {
    const size = walSize();
    if (!worker) {
      if (size >= startAt) spawn();
    } else if (size > walLimit && !exited && db.open) {
      try {
        db.pragma('wal_checkpoint(RESTART)');
      } catch {
        // the database is closing: nothing to do
      }
    }
  }, intervalMs);
  watch.unref();
  return {
    stop() {
      clearInterval(watch);
      if (stopped || exited || !worker) {
        stopped = true;
        return Promise.resolve();
      }
      stopped = true;
      const w = worker;
      return new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        w.ref(); // keep the process alive until the final checkpoint is done
        w.postMessage('stop');
      });
    },
  };
}
