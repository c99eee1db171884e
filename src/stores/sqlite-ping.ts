/**
 * Readiness of the SQLite backend. An open connection keeps working on a
 * database file that was deleted, replaced or whose volume went away, while
 * every other node (and the next restart) sees different data. So the check
 * is: the connection is open, answers a query, and the path still names the
 * file it opened (same device and inode).
 */
import { stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';

export function pingSqlite(db: Database, path: string | undefined): () => Promise<void> {
  const opened = path === undefined ? undefined : statSync(path);
  return async () => {
    if (!db.open) throw new Error('sqlite database is closed');
    db.prepare('SELECT 1').get();
    if (!path || !opened) return;
    let now;
    try {
      now = await stat(path);
    } catch {
      throw new Error('sqlite database file is gone');
    }
    if (now.ino !== opened.ino || now.dev !== opened.dev) throw new Error('sqlite database file was replaced');
  };
}
