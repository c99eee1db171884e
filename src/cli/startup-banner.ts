/** What `gatehouse start` prints: where it listens, the issuer, the store, and the demo users. */
import type { Config } from '../config/schema.js';
import { sqlitePathOf } from '../stores/open-backend.js';
import { redisUrlOf } from '../ratelimit/rate-limiter.js';

/** The store in words; a Redis URL is shown without credentials. */
export function describeStore(config: Config): string {
  const base =
    config.store.type === 'sqlite'
      ? `sqlite (${sqlitePathOf(config)})`
      : config.store.type === 'postgres'
        ? `postgres (${withoutCredentials(config.store.url)})`
        : config.store.type;
  const redis = redisUrlOf(config);
  if (!redis) return base;
  try {
    const u = new URL(redis);
    return `${base}; redis ${u.protocol}//${u.host}`;
  } catch {
    return `${base}; redis (invalid URL)`;
  }
}

function withoutCredentials(url: string | undefined): string {
  try {
    const u = new URL(url ?? '');
    return `${u.host}${u.pathname}`;
  } catch {
    return 'invalid URL';
  }
}

/** The demo users of the demo contract (password = username), if this configuration has them. */
export function demoUsers(config: Config): string[] {
  return config.users.filter((u) => u.password !== undefined && u.password === u.username).map((u) => `${u.username}/${u.password}`);
}

const hostOf = (host: string) => (host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host);

export function startupBanner(config: Config, issuer: string, port: number, managementPort?: number, workers = 1): string[] {
  const scheme = config.server.tls ? 'https' : 'http';
  const main = `${scheme}://${hostOf(config.server.host)}:${port}`;
  // The first line keeps the wording scripts and tests wait for ("listening on port N (scheme); issuer ...").
  const lines = [
    `Gatehouse listening on port ${port} (${scheme}); issuer ${issuer}`,
    `  address:   ${config.server.host}:${port}${workers > 1 ? ` (${workers} workers)` : ''}`,
    `  store:     ${describeStore(config)}`,
  ];
  const h = config.health;
  const m = config.metrics;
  const mgmt = managementPort !== undefined ? `http://${hostOf(m.host)}:${managementPort}` : undefined;
  if (m.enabled) lines.push(`  metrics:   ${mgmt ? `${mgmt}${m.path}` : m.public ? `${main}${m.path}` : 'not served (no management listener)'}`);
  if (h.enabled) lines.push(`  health:    ${h.livenessPath} (liveness), ${h.readinessPath} (readiness)`);
  const demo = demoUsers(config);
  if (demo.length) lines.push(`  demo users: ${demo.join(', ')}`);
  return lines;
}
