/**
 * https through the outbound client with a self-signed development CA
 * (`gatehouse dev-cert`, made with openssl): the certificate is checked
 * against the URL's host name even though the connection goes to the vetted
 * address; an untrusted CA or a name the certificate does not cover fails;
 * and the demo's case, https://localhost trusted through NODE_EXTRA_CA_CERTS
 * in a fresh process, works under the loopback policy only.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDevCert, type DevCertFiles } from '../../src/cli/dev-cert.js';
import { createOutboundFetch, loopbackPolicy, OutboundError, strictPolicy, type Resolver } from '../../src/net/index.js';
import { requirePrograms } from '../helpers/requirements.js';
import { startServer, type CountingServer } from './servers.js';

const skip = requirePrograms(['openssl']);
const ROOT = new URL('../..', import.meta.url).pathname;

describe.skipIf(!!skip)('outbound client: https with a development CA', () => {
  let dir: string;
  let files: DevCertFiles;
  let ca: string;
  let srv: CountingServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-net-'));
    files = makeDevCert({ dir: join(dir, 'cert'), hosts: ['docs.example'] });
    ca = readFileSync(files.caCert, 'utf8');
    srv = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"tls":true}'), {
      tls: { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') },
    });
  });

  afterAll(async () => {
    await srv?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as OutboundError,
    );

  it('fetches https://localhost under the loopback policy with the CA trusted', async () => {
    expect(await createOutboundFetch({ ...loopbackPolicy(), ca }).json(`https://localhost:${srv.port}/`)).toEqual({ tls: true });
  });

  it('refuses it under the strict policy before connecting', async () => {
    const before = srv.hits.length;
    const err = await failure(createOutboundFetch({ ...strictPolicy(), ca }).json(`https://localhost:${srv.port}/`));
    expect(err?.reason).toBe('address_not_allowed');
    expect(srv.hits.length).toBe(before);
  });

  it('fails when the CA is not trusted', async () => {
    const err = await failure(createOutboundFetch(loopbackPolicy()).json(`https://localhost:${srv.port}/`));
    expect(err).toBeInstanceOf(OutboundError);
    expect(err?.reason).toBe('network');
  });

  it('checks the certificate against the URL host while connecting to the vetted address', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const out = createOutboundFetch({ ...loopbackPolicy(), ca, resolve });
    expect(await out.json(`https://docs.example:${srv.port}/`)).toEqual({ tls: true });
    // A name the certificate does not cover fails, though it leads to the same address.
    expect((await failure(out.json(`https://other.example:${srv.port}/`)))?.reason).toBe('network');
  });

  it('trusts NODE_EXTRA_CA_CERTS in a fresh process (the demo contract)', async () => {
    const script = join(dir, 'fetch-once.ts');
    writeFileSync(
      script,
      `import { createOutboundFetch, loopbackPolicy } from ${JSON.stringify(join(ROOT, 'src/net/index.ts'))};\n` +
        `const out = createOutboundFetch(loopbackPolicy());\n` +
        `out.json(process.argv[2]!).then((j) => console.log(JSON.stringify(j)), (e) => console.log(e.reason));\n`,
    );
    // Asynchronous: this process serves the https answers meanwhile.
    const run = async (env: Record<string, string>) =>
      (
        await promisify(execFile)(join(ROOT, 'node_modules/.bin/vite-node'), [script, `https://localhost:${srv.port}/`], {
          cwd: ROOT,
          env: { ...process.env, ...env },
          encoding: 'utf8',
          timeout: 60_000,
        })
      ).stdout.trim();
    expect(await run({ NODE_EXTRA_CA_CERTS: files.caCert })).toBe('{"tls":true}');
    expect(await run({ NODE_EXTRA_CA_CERTS: '' })).toBe('network');
  }, 120_000);
});
