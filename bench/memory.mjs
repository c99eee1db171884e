/**
 * Memory of a server process as the kernel sees it (Linux /proc): resident
 * set size now and its high-water mark since the process started. The
 * benchmark reads both from outside, so the figures are the same for
 * Gatehouse and oidc-provider and include everything the process maps
 * (V8 heaps, native modules, worker threads), not only the JavaScript heap.
 *
 * @example
 * const m = readMemory(server.pid); // { rss: 79.2, peak: 81.0 } in MiB, or undefined off Linux
 */
import { readFileSync } from 'node:fs';

const MIB = 1024;

/** VmRSS and VmHWM of `pid` in MiB; undefined when /proc is unavailable or the process is gone. */
export function readMemory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rss: kb('VmRSS') / MIB, peak: kb('VmHWM') / MIB };
}

/** Resolves after `ms` milliseconds. */
export const settle = (ms) => new Promise((r) => setTimeout(r, ms));
