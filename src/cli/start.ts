/** `gatehouse start`: the standalone server (optionally N worker processes). */
import { upstreamProvider } from '../federation/demo-upstream.js';
import cluster from 'node:cluster';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../config/load.js';
import { createGatehouse, issuerOf } from '../provider.js';
import type { ConfigInput } from '../config/schema.js';
import { closeConnectionsWhenDraining, onTerminate, shutdown } from './graceful-shutdown.js';
import { startupBanner } from './startup-banner.js';
import { aggregateThroughPrimary, serveClusterMetrics } from '../observability/cluster-metrics.js';
import { managementPortOf } from '../observability/operational-routes.js';

export interface StartOptions {
  config: ConfigInput;
  workers: number;
  out: (s: string) => void;
}

/** Applies PORT, ISSUER, GATEHOUSE_DATA_DIR, TLS_CERT_FILE/TLS_KEY_FILE, DATABASE_URL and REDIS_URL from the environment (demo contract: the issuer follows PORT). */
export function applyEnv(input: ConfigInput, env: NodeJS.ProcessEnv): ConfigInput {
  const server = { ...(input.server ?? {}) };
  if (env.PORT) server.port = Number(env.PORT);
  if (env.ISSUER) server.issuer = env.ISSUER;
  if (env.GATEHOUSE_DATA_DIR) server.dataDir = env.GATEHOUSE_DATA_DIR;
  if (env.TLS_CERT_FILE || env.TLS_KEY_FILE) server.tls = { certFile: env.TLS_CERT_FILE ?? '', keyFile: env.TLS_KEY_FILE ?? '' };
  const store = { ...(input.store ?? {}) };
  if (env.DATABASE_URL) Object.assign(store, { type: 'postgres', url: env.DATABASE_URL });
  if (env.REDIS_URL) store.redisUrl = env.REDIS_URL;
  // The demo's external provider (docs/federation.md, demo contract "An external provider").
  const externalProviders = env.UPSTREAM_OIDC_ISSUER
    ? [...(input.externalProviders ?? []), upstreamProvider(env.UPSTREAM_OIDC_ISSUER)]
    : input.externalProviders;
  return { ...input, server, store, ...(externalProviders && { externalProviders }) };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * With `requestCert` (mtls.enabled) the TLS listener asks every client for a
 * certificate but accepts connections without one or with one no CA vouches
 * for (`rejectUnauthorized: false`): RFC 8705 checks it per client (subject or
 * registered key, client-auth/tls-client-auth.ts), not against a global CA list.
 */
function makeServer(handler: http.RequestListener, pem?: { cert: string; key: string; requestCert?: boolean }): http.Server {
  const limits = { requestTimeout: 30_000, headersTimeout: 15_000, keepAliveTimeout: 5_000 };
  const tlsOptions = pem?.requestCert ? { ...pem, requestCert: true, rejectUnauthorized: false } : pem;
  const server: http.Server = tlsOptions ? https.createServer({ ...limits, ...tlsOptions }, handler) : http.createServer(limits, handler);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Malformed requests (bad chunking, oversized headers): answer 400 (431 for headers over
    // the limit, RFC 6585 §5) and close, never hang.
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return server;
}

/** Reads a PEM file for the TLS server, failing with the path and what it should be. */
function readPem(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`server.tls: cannot read the TLS ${what} file ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`server.tls: ${JSON.stringify(file)} is not a PEM ${what}`);
  return text;
}

/** The cluster primary: forks workers, restarts crashed ones, and on SIGTERM stops them all gracefully. */
async function startPrimary(opts: StartOptions): Promise<undefined> {
  const { config } = parseConfig(opts.config);
  // Create keys once in the primary so workers never race on first start.
  const gh = await createGatehouse(opts.config, { timers: false });
  await gh.close();
  let stopping = false;
  let announced = false;
  // One scrape, whichever worker answers it, sees the whole server.
  if (config.metrics.enabled) serveClusterMetrics();
  const managementPort = managementPortOf(config)?.port;
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  cluster.on('listening', (_w, address) => {
    if (announced || (address.port === managementPort && address.port !== config.server.port)) return;
    announced = true;
    for (const line of startupBanner(config, issuerOf(config), address.port, managementPort, opts.workers)) opts.out(line);
  });
  cluster.on('exit', (w, code) => {
    if (stopping) return;
    if (code !== 0) opts.out(`worker ${w.process.pid} exited with ${code}; restarting`);
    if (code !== 0) cluster.fork();
  });
  onTerminate(async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    opts.out(`Shutting down ${workers.length} workers`);
    // Each worker drains and finishes its in-flight requests within shutdownTimeout.
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) {
              resolve();
              return;
            }
            const kill = setTimeout(() => w.process.kill('SIGKILL'), config.server.shutdownTimeout + 5000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    opts.out('Stopped.');
    return 0;
  });
  return undefined;
}

export async function startServer(opts: StartOptions): Promise<http.Server | undefined> {
  if (opts.workers > 1 && cluster.isPrimary) return startPrimary(opts);
  const { config } = parseConfig(opts.config);
  const issuer = issuerOf(config);
  const mountPath = new URL(issuer).pathname.replace(/\/$/, '');
  const tls = config.server.tls;
  // Read before anything starts, so a bad file fails fast and names itself.
  const pem = tls && { cert: readPem(tls.certFile, 'certificate'), key: readPem(tls.keyFile, 'key'), requestCert: config.mtls.enabled };
  const gh = await createGatehouse(opts.config, { mountPath });
  if (cluster.isWorker && gh.metrics) aggregateThroughPrimary(gh.metrics);
  let draining = false;
  const server = makeServer(gh.handler, pem);
  closeConnectionsWhenDraining(server, () => draining);
  const servers = [server];
  const port = await listen(server, config.server.port, config.server.host);
  let managementPort: number | undefined;
  const mgmt = managementPortOf(config);
  if (gh.managementHandler && mgmt) {
    const management = makeServer(gh.managementHandler);
    closeConnectionsWhenDraining(management, () => draining);
    try {
      managementPort = await listen(management, mgmt.port, config.metrics.host);
      servers.push(management);
    } catch (err) {
      // A configured port must be had; the default one may be taken (another server on this machine).
      if (mgmt.explicit || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      opts.out(
        `warning: metrics: the management port ${config.metrics.host}:${mgmt.port} is in use; metrics are not served (set metrics.port, or metrics.public)`,
      );
    }
  }
  if (cluster.isWorker) opts.out(`worker ${process.pid} listening on port ${port}`);
  else for (const line of startupBanner(config, issuer, port, managementPort)) opts.out(line);
  onTerminate(
    () =>
      shutdown({
        servers,
        drain: () => {
          draining = true;
          gh.drain();
        },
        close: () => gh.close(),
        timeoutMs: config.server.shutdownTimeout,
        out: opts.out,
      }),
    !cluster.isWorker,
  );
  return server;
}
