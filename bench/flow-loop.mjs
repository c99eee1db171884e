/**
 * The measuring loop shared by the stateful load generators (bench/flows.mjs
 * for Gatehouse, bench/compare/oidc-provider-flows.mjs for oidc-provider):
 * N virtual users each repeat one step (a complete flow, a refresh grant) for
 * a fixed time; each successful step's latency goes into a LatencyRecorder.
 *
 * @example
 * const r = await timed({ connections: 32, duration: 5000 }, async () => undefined, async () => void (await flow()));
 * r.rps // steps per second
 */
import { performance } from 'node:perf_hooks';
import { basicAuth, createClient } from './http-client.mjs';
import { LatencyRecorder } from './stats.mjs';

/** The demo client both drivers sign in with (config/demo.json `interactive.confidential`). */
export const DEMO_CLIENT = {
  authorization: basicAuth('interactive.confidential', 'secret'),
  redirectUri: 'http://localhost:3000/callback',
  scope: 'openid profile email api offline_access',
};

/**
 * A driver's JSON argument with its defaults, its keep-alive client and a
 * helper from a Location header to a request path.
 *
 * @example
 * const { spec, client, pathOf, loop } = driverSetup(process.argv[2], 'http://127.0.0.1:5000');
 */
export function driverSetup(arg, defaultBase) {
  const spec = JSON.parse(arg ?? '{}');
  const base = spec.base ?? defaultBase;
  const loop = { connections: spec.connections ?? 32, duration: (spec.duration ?? 5) * 1000 };
  const client = createClient(base, loop.connections);
  const pathOf = (location) => {
    const u = new URL(location, base);
    return u.pathname + u.search;
  };
  return { spec, base, loop, client, pathOf };
}

/** A step that got an unexpected answer (as opposed to a socket error). */
export class FlowError extends Error {}

/** Throws a FlowError unless `res` has `status` (one status or a list). */
export function expect(res, status, step) {
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  if (!ok) throw new FlowError(`${step}: HTTP ${res.status} (expected ${status}) ${String(res.body ?? '').slice(0, 200)}`);
  return res;
}

/**
 * Runs `step(state, i)` in `connections` loops for `duration` ms, each loop
 * starting from `setup(i)`; a failed step counts as an error and its loop
 * starts over from `setup(i)`. Resolves with the recorder's summary and the
 * first error message.
 */
export async function timed({ connections, duration }, setup, step) {
  const rec = new LatencyRecorder();
  let firstError;
  const states = await Promise.all(Array.from({ length: connections }, (_, i) => setup(i)));
  const start = performance.now();
  const end = start + duration;
  const loop = async (i) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        states[i] = await step(states[i], i);
        rec.add(performance.now() - t0);
      } catch (e) {
        rec.errors++;
        firstError ??= String(e.message ?? e);
        if (!(e instanceof FlowError)) await new Promise((r) => setTimeout(r, 10));
        states[i] = await setup(i).catch(() => states[i]);
      }
    }
  };
  await Promise.all(states.map((_, i) => loop(i)));
  return { ...rec.summary((performance.now() - start) / 1000), firstError };
}

const FORM = 'application/x-www-form-urlencoded';

/** GET/POST through `client` with `jar`'s cookies (a form body when given), storing the response's cookies. */
export async function sendWithJar(client, jar, method, path, body, extra = {}) {
  const headers = { ...extra };
  const cookie = jar.header();
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) {
    headers['content-type'] = FORM;
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const res = await client.request(method, path, headers, body);
  jar.store(res.headers);
  return res;
}
