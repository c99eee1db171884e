/**
 * Test helper: real X.509 certificates made with openssl in a temporary
 * folder: a CA, a server certificate for 127.0.0.1, and client certificates
 * signed by the CA. Callers check `requirePrograms(['openssl'])` first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from '../helpers/requirements.js';

export interface Pem {
  key: string;
  cert: string;
  /** The certificate file (for openssl). */
  certPath: string;
}

export interface TestPki {
  ca: Pem;
  server: Pem;
  client(name: string): Pem;
  dispose(): void;
}

export function makePki(): TestPki {
  const openssl = findProgram('openssl') ?? 'openssl';
  const dir = mkdtempSync(join(tmpdir(), 'gh-pki-'));
  const run = (...args: string[]) => execFileSync(openssl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string): Pem => ({
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    certPath: join(dir, `${name}.pem`),
  });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem'), '-subj', '/CN=Gatehouse Test CA', '-days', '2');
  const issue = (name: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('req', ...ec, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', subject);
    run(
      'x509',
      '-req',
      '-in',
      join(dir, `${name}.csr`),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-set_serial',
      String(Date.now() % 1e9),
      '-out',
      join(dir, `${name}.pem`),
      '-days',
      '2',
      '-extfile',
      join(dir, `${name}.ext`),
    );
    return read(name);
  };
  const server = issue('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const clients = new Map<string, Pem>();
  return {
    ca: read('ca'),
    server,
    client(name) {
      let c = clients.get(name);
      if (!c) clients.set(name, (c = issue(`client-${name}`, `/CN=${name}`, 'extendedKeyUsage=clientAuth\n')));
      return c;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** openssl's own SHA-256 fingerprint of a certificate, as base64url (an independent x5t#S256). */
export function opensslThumbprint(certPath: string): string {
  const out = execFileSync(findProgram('openssl') ?? 'openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  const hex = out.trim().split('=')[1].replaceAll(':', '');
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** The DER bytes of a certificate, converted by openssl. */
export function opensslDer(certPath: string): Buffer {
  return execFileSync(findProgram('openssl') ?? 'openssl', ['x509', '-in', certPath, '-outform', 'DER']);
}
