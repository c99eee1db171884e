/**
 * Prometheus metrics after a scripted flow: names, labels and values, the
 * per-provider registry, and the endpoint's configuration (off, another path,
 * a management listener).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic, form, startTestServer, type TestServer } from '../helpers/server.js';

/** The value of one sample line, e.g. `gatehouse_logins_total{result="success",reason=""}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const cc = (url: string, secret = 'secret') =>
  fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic('m2m', secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=api',
  });

describe('metrics after a scripted flow', () => {
  let s: TestServer;
  let other: TestServer;
  let text: string;
  beforeAll(async () => {
    s = await startTestServer();
    other = await startTestServer();
    for (let i = 0; i < 3; i++) expect((await cc(s.url)).status).toBe(200);
    expect((await cc(s.url, 'wrong-secret')).status).toBe(401);
    // One failed login (wrong password), then the real one; then the code exchange.
    const failed = await authorizeWithLogin(s.url, { password: 'not-alice' }).catch(() => undefined);
    expect(failed).toBeUndefined();
    const flow = await authorizeWithLogin(s.url);
    expect((await exchangeCode(s.url, flow.code, flow.verifier)).status).toBe(200);
    s.clock.advance(120); // key age grows with the provider clock
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    text = await res.text();
  });
  afterAll(async () => {
    await s.close();
    await other.close();
  });

  it('counts requests per endpoint and status, with latency histograms', () => {
    expect(sample(text, 'gatehouse_http_requests_total', { endpoint: '/connect/token', status: '200' })).toBe(4);
    expect(sample(text, 'gatehouse_http_requests_total', { endpoint: '/connect/token', status: '401' })).toBe(1);
    expect(sample(text, 'gatehouse_http_request_duration_seconds_count', { endpoint: '/connect/token', status: '200' })).toBe(4);
    expect(sample(text, 'gatehouse_http_request_duration_seconds_bucket', { endpoint: '/connect/token', status: '200', le: '+Inf' })).toBe(4);
    expect(sample(text, 'gatehouse_http_request_duration_seconds_sum', { endpoint: '/connect/token', status: '200' })).toBeGreaterThan(0);
    expect(sample(text, 'gatehouse_http_requests_total', { endpoint: '/ui/login', status: '303' })).toBe(1);
    expect(sample(text, 'gatehouse_http_requests_total', { endpoint: '/ui/login', status: '400' })).toBe(1);
  });

  it('counts tokens per grant type and client, logins and client authentication failures', () => {
    expect(sample(text, 'gatehouse_tokens_issued_total', { grant_type: 'client_credentials', client_id: 'm2m' })).toBe(3);
    expect(sample(text, 'gatehouse_tokens_issued_total', { grant_type: 'authorization_code', client_id: 'interactive.confidential' })).toBe(1);
    expect(sample(text, 'gatehouse_token_failures_total', { grant_type: 'client_credentials', error: 'invalid_client' })).toBe(1);
    expect(sample(text, 'gatehouse_logins_total', { result: 'success' })).toBe(1);
    expect(sample(text, 'gatehouse_logins_total', { result: 'failure', reason: 'invalid_credentials' })).toBe(1);
    expect(sample(text, 'gatehouse_client_authentication_failures_total', { endpoint: 'token' })).toBe(1);
  });

  it('reports active sessions, store latency and signing key age', () => {
    expect(sample(text, 'gatehouse_active_sessions')).toBe(1);
    expect(sample(text, 'gatehouse_store_operation_duration_seconds_count', { operation: 'records.consume' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'gatehouse_store_operation_duration_seconds_count', { operation: 'records.put' })).toBeGreaterThanOrEqual(1);
    const age = sample(text, 'gatehouse_signing_key_age_seconds', { alg: 'RS256', status: 'active' });
    expect(age).toBeGreaterThanOrEqual(120);
  });

  it('labels unknown paths as unmatched (no label per attacker-chosen path) and shows no secrets', async () => {
    await fetch(`${s.url}/no/such/${'x'.repeat(40)}`);
    const body = await (await fetch(`${s.url}/metrics`)).text();
    expect(sample(body, 'gatehouse_http_requests_total', { endpoint: 'unmatched', status: '404' })).toBe(1);
    expect(body).not.toContain('xxxxxxxx');
    expect(body).not.toMatch(/secret|password|alice/i);
  });

  it('keeps a registry per provider: the other provider in this process counted nothing', async () => {
    const body = await (await fetch(`${other.url}/metrics`)).text();
    expect(sample(body, 'gatehouse_tokens_issued_total', { grant_type: 'client_credentials', client_id: 'm2m' })).toBeUndefined();
    expect(s.gh.metrics!.registry).not.toBe(other.gh.metrics!.registry);
  });
});

describe('metrics configuration', () => {
  it('metrics.enabled false: no endpoint and no registry', async () => {
    const s = await startTestServer({ mutate: (c) => (c.metrics = { enabled: false }) });
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      expect(s.gh.metrics).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it('metrics.path moves the endpoint', async () => {
    const s = await startTestServer({ mutate: (c) => (c.metrics = { path: '/internal/prom', public: true }) });
    try {
      expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${s.url}/internal/prom`)).text()).toContain('gatehouse_http_requests_total');
    } finally {
      await s.close();
    }
  });

  it('metrics.port: metrics only on the management listener, health on both', async () => {
    const s = await startTestServer({ mutate: (c) => (c.metrics = { port: 0 }) });
    const mgmt = http.createServer(s.gh.managementHandler);
    await new Promise<void>((r) => mgmt.listen(0, '127.0.0.1', r));
    const murl = `http://127.0.0.1:${(mgmt.address() as AddressInfo).port}`;
    try {
      await cc(s.url);
      expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
      const body = await (await fetch(`${murl}/metrics`)).text();
      expect(sample(body, 'gatehouse_tokens_issued_total', { grant_type: 'client_credentials', client_id: 'm2m' })).toBe(1);
      expect((await fetch(`${murl}/readyz`)).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      // The management listener serves nothing else.
      expect((await fetch(`${murl}/connect/token`, { method: 'POST', body: form({ grant_type: 'client_credentials' }) })).status).toBe(404);
    } finally {
      mgmt.closeAllConnections();
      await new Promise((r) => mgmt.close(r));
      await s.close();
    }
  });
});
