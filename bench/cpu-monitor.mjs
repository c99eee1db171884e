/**
 * Detects other work on the benchmark's cores (the machine may be shared):
 * samples /proc/stat per core and the CPU time of the pinned benchmark
 * processes; "foreign" time on a core is its busy time minus the time of the
 * process pinned to it, plus hypervisor steal. Linux only; elsewhere it reports nothing.
 *
 * @example
 * await waitForQuiet(['0', '1']);
 * const mon = startMonitor(['0', '1']);
 * mon.setPid('0', serverPid);
 * mon.setPid('1', loadPid);
 * mon.stop() // { foreign: { '0': 0.01, '1': 0 }, own: { '0': 0.99, '1': 0.7 } }
 */
import { readFileSync } from 'node:fs';

/**
 * Per core: user+nice+system ticks (irq/softirq excluded: loopback traffic of
 * the benchmark itself lands there), hypervisor steal ticks, and all ticks.
 */
function cpuTimes() {
  try {
    const out = {};
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = line.match(/^cpu(\d+) (.*)$/);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      out[m[1]] = { busy: v[0] + v[1] + v[2], steal: v[7] ?? 0, total: v.slice(0, 8).reduce((a, b) => a + b, 0) };
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
  // Other processes' time plus time the hypervisor gave to other guests.
  const other = b.cpu[cpu].busy - a.cpu[cpu].busy - (b.own[cpu] - a.own[cpu]);
  return Math.max(0, (other + b.cpu[cpu].steal - a.cpu[cpu].steal) / total);
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
    /** { foreign: share of each core used by other processes, own: share used by the pinned process }. */
    stop() {
      clearInterval(timer);
      const foreign = {};
      const own = {};
      if (samples.length < 2) return { foreign, own };
      const a = samples[0];
      const b = samples[samples.length - 1];
      for (const c of cpus) {
        foreign[c] = share(a, b, c);
        own[c] = (b.own[c] - a.own[c]) / Math.max(1, b.cpu[c].total - a.cpu[c].total);
      }
      return { foreign, own };
    },
  };
}
