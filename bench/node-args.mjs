/**
 * The node flags Gatehouse's server runs with: those of package.json's start
 * script (`node <flags> dist/cli/main.js start ...`), so the benchmark and the
 * soak test start the server as `npm start` does.
 *
 * @example
 * serverNodeArgs(root) // e.g. ['--max-semi-space-size=2'], or [] when the start script has none
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function serverNodeArgs(root) {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const m = String(scripts?.start ?? '').match(/^node\s+(.*?)\s*dist\/cli\/main\.js\b/);
  return m ? m[1].split(/\s+/).filter((a) => a.startsWith('--')) : [];
}
