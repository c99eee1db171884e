/**
 * The OP under test: `gatehouse dev-cert` makes a throwaway CA and a
 * localhost certificate, `gatehouse start --config config/conformance.json`
 * serves https with it, and this test process trusts the CA (as
 * NODE_EXTRA_CA_CERTS would). The conformance suite refuses http endpoints,
 * so the modules run over https, as they would for real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cliCommand, startCliServer, trustCaInFetch, type CliServer } from '../helpers/cli-server.js';

/** What `gatehouse dev-cert` wrote: a CA and a certificate for localhost, 127.0.0.1 and ::1 signed by it. */
export interface DevCert {
  dir: string;
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  remove(): void;
}

export interface HttpsOp extends CliServer {
  caPem: string;
  cert: DevCert;
}

/** Runs `gatehouse dev-cert` into a temporary folder and makes this process's fetch trust its CA. */
export async function makeDevCert(): Promise<DevCert> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-dev-cert-'));
  const { cmd, args } = cliCommand();
  const made = spawnSync(cmd, [...args, 'dev-cert', '--out', dir, '--force'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (made.status !== 0) throw new Error(`gatehouse dev-cert failed: ${made.stderr}${made.stdout}`);
  const caFile = join(dir, 'ca.crt');
  const caPem = readFileSync(caFile, 'utf8');
  await trustCaInFetch(caPem);
  return {
    dir,
    caPem,
    caFile,
    certFile: join(dir, 'localhost.crt'),
    keyFile: join(dir, 'localhost.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Starts the OP over https. `cert` reuses a certificate made beforehand (the
 * caller's other servers can then serve the same one); `config` and `env`
 * replace the configuration file and add to the environment.
 */
export async function startHttpsOp(opts: { cert?: DevCert; config?: string; env?: Record<string, string> } = {}): Promise<HttpsOp> {
  const cert = opts.cert ?? (await makeDevCert());
  const server = await startCliServer({ config: opts.config ?? 'config/conformance.json', env: opts.env, tls: { cert: cert.certFile, key: cert.keyFile } });
  return {
    ...server,
    caPem: cert.caPem,
    cert,
    async close() {
      await server.close();
      cert.remove();
    },
  };
}
