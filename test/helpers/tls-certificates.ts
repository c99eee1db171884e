/**
 * Real X.509 certificates for mutual TLS tests (RFC 8705), made with the
 * openssl command line (test/helpers/requirements.ts checks it is there):
 * self-signed P-256 certificates with the subject and SANs a test asks for
 * (test/proof/certificates.ts makes a CA-signed PKI by common name only).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { findProgram } from './programs.js';

export interface TestCertificate {
  cert: string;
  key: string;
  x509: X509Certificate;
}

/**
 * A self-signed certificate, valid for a day.
 *
 * @example makeCertificate('/O=Gatehouse Test/CN=client', ['DNS:client.example.test'])
 */
export function makeCertificate(subject: string, san: string[] = []): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'gh-cert-'));
  try {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', subject];
    args.push('-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'));
    if (san.length) args.push('-addext', `subjectAltName=${san.join(',')}`);
    execFileSync(findProgram('openssl') ?? 'openssl', args, { stdio: 'pipe' });
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8'), x509: new X509Certificate(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
