/**
 * `gatehouse dev-cert`: a throwaway local certificate authority and a
 * certificate for localhost / 127.0.0.1 / ::1 signed by it, made with the
 * `openssl` command line. For development and conformance runs only: trust
 * `ca.crt` in the client (NODE_EXTRA_CA_CERTS, the browser, the conformance
 * suite's container) and start with `TLS_CERT_FILE=<dir>/localhost.crt
 * TLS_KEY_FILE=<dir>/localhost.key`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DevCertFiles {
  dir: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface DevCertOptions {
  /** Output folder (created if missing). */
  dir: string;
  /** Extra DNS names for the server certificate besides localhost. */
  hosts?: string[];
  /** Validity in days (default 30). */
  days?: number;
  /** Replace files that already exist. */
  force?: boolean;
  /** The openssl binary (default `openssl` on PATH). */
  openssl?: string;
}

const HOST = /^[A-Za-z0-9.-]{1,253}$/;

/**
 * Creates the CA and the server certificate.
 *
 * @example
 * const files = makeDevCert({ dir: 'data/dev-cert' });
 * // TLS_CERT_FILE=files.cert TLS_KEY_FILE=files.key NODE_EXTRA_CA_CERTS=files.caCert
 */
export function makeDevCert(opts: DevCertOptions): DevCertFiles {
  const dir = resolve(opts.dir);
  const files: DevCertFiles = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'localhost.crt'),
    key: join(dir, 'localhost.key'),
  };
  if (!opts.force && [files.caCert, files.cert].some((f) => existsSync(f))) {
    throw new Error(`dev-cert: ${dir} already holds certificates (use --force to replace them)`);
  }
  const hosts = opts.hosts ?? [];
  for (const h of hosts) if (!HOST.test(h)) throw new Error(`dev-cert: not a host name: ${JSON.stringify(h)}`);
  const days = String(opts.days ?? 30);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (args: string[]) => {
    try {
      execFileSync(opts.openssl ?? 'openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') throw new Error('dev-cert: the openssl command is not installed (Debian: apt-get install openssl)', { cause: e });
      throw new Error(`dev-cert: openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`, { cause: e });
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  // The CA: self-signed, may sign certificates, nothing else.
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    files.caKey,
    '-out',
    files.caCert,
    '-days',
    days,
    '-sha256',
    '-subj',
    `/CN=Gatehouse development CA ${new Date().toISOString().slice(0, 10)}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  // The server certificate, signed by the CA (RFC 5280 subjectAltName; clients ignore the CN).
  const csr = join(dir, 'localhost.csr');
  const ext = join(dir, 'localhost.ext');
  openssl(['req', '-new', ...ec, '-keyout', files.key, '-out', csr, '-subj', '/CN=localhost']);
  const san = ['DNS:localhost', ...hosts.map((h) => `DNS:${h}`), 'IP:127.0.0.1', 'IP:::1'].join(',');
  writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    files.caCert,
    '-CAkey',
    files.caKey,
    '-CAcreateserial',
    '-out',
    files.cert,
    '-days',
    days,
    '-sha256',
    '-extfile',
    ext,
  ]);
  for (const f of [csr, ext, join(dir, 'ca.srl')]) rmSync(f, { force: true });
  for (const f of [files.caKey, files.key]) chmodSync(f, 0o600);
  return files;
}
