/**
 * Work a request starts but does not wait for (back-channel logout POSTs).
 * Hangs off the provider instance: `close()` aborts what is still waiting,
 * and tests (or a CLI run) can await `idle()`.
 */

export interface BackgroundTasks {
  /** Starts a task now; its failures are the task's own business (it must catch them). */
  run(task: (signal: AbortSignal) => Promise<void>): void;
  /** Resolves when every task started so far has finished. */
  idle(): Promise<void>;
  /** Aborts waiting tasks and waits for them to finish. */
  close(): Promise<void>;
}

/**
 * Creates the task set of one provider.
 *
 * @example
 * const tasks = createBackgroundTasks();
 * tasks.run(async (signal) => { await fetch(url, { signal }); });
 * await tasks.idle();
 */
export function createBackgroundTasks(onError: (err: unknown) => void): BackgroundTasks {
  const running = new Set<Promise<void>>();
  const stop = new AbortController();
  return {
    run(task) {
      const p: Promise<void> = Promise.resolve()
        .then(() => task(stop.signal))
        .catch(onError)
        .finally(() => running.delete(p));
      running.add(p);
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    async close() {
      stop.abort();
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

/** Waits `ms`, or less when `signal` aborts (then resolves false). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
