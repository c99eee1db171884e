/**
 * WAL checkpoints off the request path. By default SQLite checkpoints inside
 * whichever commit pushes the WAL past 1000 pages, so one request in a few
 * hundred pays for copying the WAL into the database file and an fsync. Here
 * the serving connection never checkpoints; a worker thread with its own
 * connection runs PASSIVE checkpoints on a timer (never blocking writers or
 * readers). Should the worker fail, the serving connection checkpoints itself
 * again, as SQLite does by default.
 */
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

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Starts the checkpoint worker for a WAL-mode database file.
 *
 * @example
 * const cp = startCheckpointer(db, '/data/gatehouse.db', 250);
 * await cp.stop(); // before db.close()
 */
export function startCheckpointer(db: Database.Database, path: string, intervalMs: number): Checkpointer {
  // import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
  const module = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href).resolve('better-sqlite3');
  // Cap the WAL file left behind after a checkpoint (bytes).
  db.pragma('journal_size_limit = 67108864');
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, intervalMs } });
  worker.unref();
  let stopped = false;
  let exited = false;
  const fallback = () => {
    if (!stopped && db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  worker.once('error', fallback);
  worker.once('exit', () => {
    exited = true;
    fallback();
  });
  return {
    stop() {
      if (stopped || exited) {
        stopped = true;
        return Promise.resolve();
      }
      stopped = true;
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.ref(); // keep the process alive until the final checkpoint is done
        worker.postMessage('stop');
      });
    },
  };
}
