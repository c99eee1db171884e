/**
 * Detects other work on the benchmark's cores (the machine may be shared):
 * samples /proc/stat per core and the CPU time of the pinned benchmark
 * processes; "foreign" time on a core is its busy time minus the time of the
 * process pinned to it. Linux only; elsewhere it reports nothing.
 *
 * @example
 * await waitForQuiet(['0', '1']);
 * const mon = startMonitor(['0', '1']);
 * mon.setPid('0', serverPid);
 * mon.setPid('1', loadPid);
 * mon.stop() // foreign share per core, e.g. { '0': 0.01, '1': 0 }
 */
import { readFileSync } from 'node:fs';

/** user+nice+system ticks and all ticks of each core (irq/softirq excluded from busy). */
function cpuTimes() {
  try {
    const out = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = line.match(/^cpu(\d+) (.*)$/);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      out[m[1]] = { busy: v[0] + v[1] + v[2], total: v.slice(0, 8).reduce((a, b) => a + b, 0) };
    }
    return out;
  } catch {
    return undefined;
  }
}

/** utime+stime ticks of a process (all its threads), or undefined when gone. */
function procTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

const share = (a, b, cpu) => {
  const total = b.cpu[cpu].total - a.cpu[cpu].total;
  if (total <= 0) return 0;
  return Math.max(0, (b.cpu[cpu].busy - a.cpu[cpu].busy - (b.own[cpu] - a.own[cpu])) / total);
};

/** Waits until the given cores are nearly idle (< `maxBusy`) for one second, up to `timeoutMs`. */
export async function waitForQuiet(cpus, maxBusy = 0.05, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 1000));
    const b = cpuTimes();
    if (!a || !b) return true;
    const busiest = Math.max(...cpus.map((c) => (b[c].busy - a[c].busy) / Math.max(1, b[c].total - a[c].total)));
    if (busiest < maxBusy) return true;
    if (Date.now() > deadline) return false;
  }
}

/**
 * Samples every 200 ms while a run is going. `setPid(cpu, pid)` names the
 * process pinned to each watched core; `stop()` returns the foreign share of
 * each core over the time all of them were alive.
 */
export function startMonitor(cpus) {
  const pids = {};
  const samples = [];
  const take = () => {
    const cpu = cpuTimes();
    if (!cpu) return;
    const own = {};
    for (const c of cpus) {
      own[c] = pids[c] === undefined ? undefined : procTicks(pids[c]);
      if (own[c] === undefined) return;
    }
    samples.push({ cpu, own });
  };
  const timer = setInterval(take, 200);
  return {
    setPid(cpu, pid) {
      pids[cpu] = pid;
      take();
    },
    stop() {
      clearInterval(timer);
      const out = {};
      if (samples.length < 2) return out;
      for (const c of cpus) out[c] = share(samples[0], samples[samples.length - 1], c);
      return out;
    },
  };
}
