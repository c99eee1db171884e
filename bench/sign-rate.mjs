/**
 * The signing ceiling of one core: RS256 signatures per second with a
 * 2048-bit key, through node:crypto `sign('sha256', data, key)` (synchronous)
 * and jose `CompactSign` (WebCrypto; async on the libuv pool, which the
 * process's CPU pinning confines to the same core). jose runs with 1 and with
 * `inflight` signatures outstanding; its figure is the better of the two.
 *
 * @example
 * taskset -c 0 node bench/sign-rate.mjs '{"duration":5,"inflight":32}'
 * // BENCH_JSON {"nodeCrypto":...,"jose":...,"joseSequential":...,"joseConcurrent":...,"best":...}
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CompactSign, importPKCS8 } from 'jose';
import { emitResult } from './stats.mjs';

const spec = JSON.parse(process.argv[2] ?? '{}');
const duration = (spec.duration ?? 5) * 1000;
const inflight = spec.inflight ?? 32;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const cryptoKey = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'RS256');

// A payload shaped like the provider's JWT access tokens.
const now = Math.floor(Date.now() / 1000);
const payload = new TextEncoder().encode(
  JSON.stringify({
    iss: 'http://localhost:5000',
    sub: 'm2m',
    aud: 'api',
    client_id: 'm2m',
    jti: 'a'.repeat(22),
    iat: now,
    nbf: now,
    exp: now + 3600,
    scope: 'api',
  }),
);
const header = { alg: 'RS256', kid: 'k'.repeat(43), typ: 'at+jwt' };
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const signingInput = Buffer.from(`${b64(header)}.${Buffer.from(payload).toString('base64url')}`);

/** Synchronous node:crypto signatures per second. */
function nodeCryptoRate() {
  const start = performance.now();
  const end = start + duration;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 8; i++) sign('sha256', signingInput, privateKey);
    n += 8;
  }
  return n / ((performance.now() - start) / 1000);
}

/** jose CompactSign signatures per second with `k` outstanding. */
async function joseRate(k) {
  const start = performance.now();
  const end = start + duration;
  let n = 0;
  const loop = async () => {
    while (performance.now() < end) {
      await new CompactSign(payload).setProtectedHeader(header).sign(cryptoKey);
      n++;
    }
  };
  await Promise.all(Array.from({ length: k }, loop));
  return n / ((performance.now() - start) / 1000);
}

// Warm up both paths briefly so JIT and key setup are not measured.
for (let i = 0; i < 50; i++) sign('sha256', signingInput, privateKey);
for (let i = 0; i < 50; i++) await new CompactSign(payload).setProtectedHeader(header).sign(cryptoKey);

const nodeCrypto = nodeCryptoRate();
const joseSequential = await joseRate(1);
const joseConcurrent = await joseRate(inflight);
const jose = Math.max(joseSequential, joseConcurrent);
emitResult({ nodeCrypto, jose, joseSequential, joseConcurrent, inflight, best: Math.max(nodeCrypto, jose) });
