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

export interface HttpsOp extends CliServer {
  caPem: string;
}

export async function startHttpsOp(): Promise<HttpsOp> {
  const certDir = mkdtempSync(join(tmpdir(), 'gh-dev-cert-'));
  const { cmd, args } = cliCommand();
  const made = spawnSync(cmd, [...args, 'dev-cert', '--out', certDir, '--force'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (made.status !== 0) throw new Error(`gatehouse dev-cert failed: ${made.stderr}${made.stdout}`);
  const caPem = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  await trustCaInFetch(caPem);
  const server = await startCliServer({ config: 'config/conformance.json', tls: { cert: join(certDir, 'localhost.crt'), key: join(certDir, 'localhost.key') } });
  return {
    ...server,
    caPem,
    async close() {
      await server.close();
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
