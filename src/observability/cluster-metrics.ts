/**
 * Metrics of a `gatehouse start --workers N` server as one: every worker
 * keeps its own registry, and a scrape, whichever worker answers it, asks the
 * primary over the cluster IPC channel, which collects every worker's
 * metrics (prom-client's AggregatorRegistry) and sums them; gauges that are
 * counted in the shared store (active sessions, key ages) take one worker's value.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from './metrics.js';

const REQUEST = 'gatehouse:metrics-request';
const RESPONSE = 'gatehouse:metrics-response';
/** Milliseconds a worker waits for the primary's answer (prom-client waits up to 5 s for the workers). */
const TIMEOUT_MS = 7000;

interface Request {
  type: typeof REQUEST;
  id: number;
}
interface Response {
  type: typeof RESPONSE;
  id: number;
  body?: string;
  contentType?: string;
  error?: string;
}

/**
 * In the cluster primary: answers the workers' requests for the whole
 * server's metrics. Call once, before forking.
 *
 * @example
 * if (cluster.isPrimary) serveClusterMetrics();
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: Partial<Request>) => {
    if (msg?.type !== REQUEST || typeof msg.id !== 'number') return;
    const id = msg.id;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: RESPONSE, id, body, contentType: aggregator.contentType } satisfies Response),
      (err: unknown) => worker.isConnected() && worker.send({ type: RESPONSE, id, error: err instanceof Error ? err.message : String(err) } satisfies Response),
    );
  });
}

/**
 * In a cluster worker: lends this provider's registry to the primary's
 * aggregation and makes `metrics.render()` answer the whole server's metrics.
 *
 * @example
 * if (cluster.isWorker && gh.metrics) aggregateThroughPrimary(gh.metrics);
 */
export function aggregateThroughPrimary(metrics: Pick<Metrics, 'registry' | 'render'>): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
  new AggregatorRegistry(); // installs prom-client's responder to the primary's collection requests
  const pending = new Map<number, (r: Response) => void>();
  let next = 0;
  process.on('message', (msg: Partial<Response>) => {
    if (msg?.type === RESPONSE && typeof msg.id === 'number') pending.get(msg.id)?.(msg as Response);
  });
  metrics.render = () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the cluster primary did not answer the metrics request'));
      }, TIMEOUT_MS);
      pending.set(id, (r) => {
        clearTimeout(timer);
        pending.delete(id);
        if (r.error !== undefined || r.body === undefined) reject(new Error(`metrics aggregation failed: ${r.error ?? 'no answer'}`));
        else resolve({ contentType: r.contentType ?? metrics.registry.contentType, body: r.body });
      });
      if (!process.send) throw new Error('metrics aggregation runs in a cluster worker only');
      process.send({ type: REQUEST, id } satisfies Request);
    });
}
