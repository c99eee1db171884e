/**
 * Another server under the Gatehouse benchmark harness (`BENCH_SERVER=oidc-provider npm run bench`):
 * how bench/run.mjs starts it, which flow driver loads it, and where its
 * endpoints are. oidc-provider is installed into bench/compare/node_modules on
 * first use (`npm install --prefix bench/compare`, from the committed lock file);
 * it is not a dependency of Gatehouse.
 *
 * @example
 * const target = await loadTarget('oidc-provider', root, log);
 * const server = await target.start('userinfo', { serverCpu: '0' });
 * server.paths['/connect/token'] // '/token', from its discovery document
 * await server.stop();
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPinned } from '../processes.mjs';
import { createClient } from '../http-client.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Gatehouse's scenario paths (bench/scenarios.mjs) and the discovery field that names the same endpoint. */
const ENDPOINTS = {
  '/.well-known/openid-configuration/jwks': 'jwks_uri',
  '/connect/token': 'token_endpoint',
  '/connect/userinfo': 'userinfo_endpoint',
  '/connect/authorize': 'authorization_endpoint',
};

/** Installs bench/compare's own dependencies when they are missing. */
function ensureInstalled(log) {
  if (existsSync(path.join(here, 'node_modules/oidc-provider/package.json'))) return;
  log('bench/compare/node_modules missing: running npm install --prefix bench/compare');
  const r = spawnSync('npm', ['install', '--prefix', here, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install --prefix ${here} failed (exit ${r.status})`);
}

async function discover(base) {
  const client = createClient(base, 1);
  try {
    const res = await client.request('GET', '/.well-known/openid-configuration');
    if (res.status !== 200) throw new Error(`discovery: HTTP ${res.status}`);
    return JSON.parse(res.body);
  } finally {
    client.close();
  }
}

/**
 * The server named `name` (only `oidc-provider` so far). `start(scenario, opts)`
 * starts a fresh instance pinned to `opts.serverCpu` (with a CPU profile into
 * `opts.profileDir` when set) and resolves with { base, pid, paths, stop }.
 */
export async function loadTarget(name, log) {
  if (name !== 'oidc-provider') throw new Error(`BENCH_SERVER=${name}: unknown server (gatehouse or oidc-provider)`);
  ensureInstalled(log);
  const { version } = JSON.parse(readFileSync(path.join(here, 'node_modules/oidc-provider/package.json'), 'utf8'));
  return {
    name: `oidc-provider ${version}`,
    flowsScript: path.join(here, 'oidc-provider-flows.mjs'),
    async start(scenario, opts) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, `--cpu-prof-name=oidc-provider-${scenario}.cpuprofile`] : [];
      const server = await startPinned(
        opts.serverCpu,
        process.execPath,
        [...nodeArgs, path.join(here, 'oidc-provider-server.mjs')],
        { PORT: String(port), ISSUER: base, NODE_ENV: 'production' },
        `${base}/.well-known/openid-configuration`,
      );
      const meta = await discover(base);
      const paths = {};
      for (const [ours, field] of Object.entries(ENDPOINTS)) if (meta[field]) paths[ours] = new URL(meta[field]).pathname;
      return { base, pid: server.pid, paths, stop: () => server.stop() };
    },
  };
}
