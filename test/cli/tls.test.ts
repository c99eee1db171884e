/**
 * `gatehouse dev-cert` and `gatehouse start` with TLS, as real processes:
 * the CA signs a localhost / 127.0.0.1 certificate that verifies; an https
 * server started with it answers with an https issuer; bad TLS settings fail
 * at startup with the file and the reason.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cliCommand, startCliServer } from '../helpers/cli-server.js';
import { requirePrograms } from '../helpers/requirements.js';

const { cmd, args } = cliCommand();
const run = (argv: string[], env: Record<string, string> = {}) =>
  spawnSync(cmd, [...args, ...argv], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'gh-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// dev-cert runs openssl; the startup-failure checks below need no certificate.
const noOpenssl = requirePrograms(['openssl'], 'dev-cert and serving https');

describe.skipIf(!!noOpenssl)('gatehouse dev-cert', () => {
  const out = join(dir, 'cert');
  it('makes a CA and a localhost certificate it signed; private keys are 0600', () => {
    const r = run(['dev-cert', '--out', out, '--host', 'op.test']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('NODE_EXTRA_CA_CERTS=');
    const ca = new X509Certificate(readFileSync(join(out, 'ca.crt')));
    const cert = new X509Certificate(readFileSync(join(out, 'localhost.crt')));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(cert.subjectAltName).toContain('DNS:op.test');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    for (const key of ['ca.key', 'localhost.key']) expect(statSync(join(out, key)).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite without --force', () => {
    const r = run(['dev-cert', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/already holds certificates.*--force/);
    expect(run(['dev-cert', '--out', out, '--force']).status).toBe(0);
  });

  it('rejects a host that is not a host name', () => {
    const r = run(['dev-cert', '--out', join(dir, 'other'), '--host', 'a b']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a host name/);
  });
});

describe('gatehouse start with TLS', () => {
  const out = join(dir, 'cert');
  it.skipIf(!!noOpenssl)('serves https with an https issuer; the CA verifies the server', async () => {
    const gh = await startCliServer({ tls: { cert: join(out, 'localhost.crt'), key: join(out, 'localhost.key') } });
    try {
      expect(gh.output()).toMatch(/\(https\); issuer https:\/\/localhost:\d+/);
      const doc = await new Promise<Record<string, string>>((resolve, reject) => {
        https
          .get(`${gh.url}/.well-known/openid-configuration`, { ca: readFileSync(join(out, 'ca.crt')) }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve(JSON.parse(body)));
          })
          .on('error', reject);
      });
      expect(doc.issuer).toBe(gh.url);
      expect(doc.token_endpoint).toBe(`${gh.url}/connect/token`);
      // Without the CA the certificate is not trusted.
      const untrusted = await new Promise<string>((resolve) =>
        https.get(`${gh.url}/health`, () => resolve('trusted')).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error')),
      );
      expect(untrusted).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
    } finally {
      await gh.close();
    }
  });

  it('fails at startup, naming the file, when the certificate is missing or not PEM', () => {
    const data = join(dir, 'data');
    const missing = run(['start', '--config', 'config/demo.json'], {
      PORT: '0',
      GATEHOUSE_DATA_DIR: data,
      TLS_CERT_FILE: join(dir, 'nope.crt'),
      TLS_KEY_FILE: join(out, 'localhost.key'),
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the TLS certificate file .*nope\.crt.*ENOENT/);
    writeFileSync(join(dir, 'garbage.crt'), 'not a certificate');
    const garbage = run(['start', '--config', 'config/demo.json'], {
      PORT: '0',
      GATEHOUSE_DATA_DIR: data,
      TLS_CERT_FILE: join(dir, 'garbage.crt'),
      TLS_KEY_FILE: join(out, 'localhost.key'),
    });
    expect(garbage.status).toBe(1);
    expect(garbage.stderr).toMatch(/garbage\.crt.* is not a PEM certificate/);
  });
});
