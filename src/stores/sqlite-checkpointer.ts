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
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
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

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Takes over the checkpoints of a WAL-mode database file: the serving
 * connection stops checkpointing at once, and the worker starts when the WAL
 * first reaches `startAt` bytes (checked every `intervalMs`).
 *
 * @example
 * const cp = startCheckpointer(db, '/data/gatehouse.db', 250);
 * await cp.stop(); // before db.close()
 */
export function startCheckpointer(db: Database.Database, path: string, intervalMs: number, startAt = DEFAULT_START_AT): Checkpointer {
  // import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
  const module = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href).resolve('better-sqlite3');
  // Cap the WAL file left behind after a checkpoint (bytes).
  db.pragma('journal_size_limit = 67108864');
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
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, intervalMs } });
    worker.unref();
    worker.once('error', fallback);
    worker.once('exit', () => {
      exited = true;
      fallback();
    });
  };
  const watch = setInterval(() => {
    if (walSize() < startAt) return;
    clearInterval(watch);
    spawn();
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
