/**
 * Test fixture: a real provider behind node:http on an ephemeral port, with
 * an injectable clock and the in-memory (or a temp SQLite) backend.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createGatehouse, type Gatehouse, type GatehouseOptions } from '../../src/provider.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import type { ConfigInput } from '../../src/config/schema.js';

/** A clock tests can move: `clock.advance(3600)`. Epoch seconds. */
export class TestClock {
  constructor(public t = Math.floor(Date.now() / 1000)) {}
  now = () => this.t;
  advance(seconds: number) {
    this.t += seconds;
  }
}

export interface TestServer {
  url: string;
  gh: Gatehouse;
  clock: TestClock;
  server: http.Server;
  close(): Promise<void>;
}

/** The demo configuration of the repo (config/demo.json) as input. */
export function demoConfig(): ConfigInput {
  return JSON.parse(readFileSync(new URL('../../config/demo.json', import.meta.url), 'utf8')) as ConfigInput;
}

/**
 * Starts a provider on 127.0.0.1 with an ephemeral port. The issuer is the
 * real URL of the server. `mutate` may change the config before start.
 */
export async function startTestServer(
  opts: { config?: ConfigInput; mutate?: (c: ConfigInput) => void; options?: GatehouseOptions; clock?: TestClock } = {},
): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const config = structuredClone(opts.config ?? demoConfig());
  config.server = { ...config.server, issuer: url, port };
  config.store = { type: 'memory', ...config.store };
  config.keys = { keyEncryptionKey: randomBytes(32).toString('base64'), ...config.keys };
  opts.mutate?.(config);
  const clock = opts.clock ?? new TestClock();
  const gh = await createGatehouse(config, {
    clock,
    backend: createMemoryBackend(),
    logger: pino({ level: 'silent' }),
    timers: false,
    ...opts.options,
  });
  server.on('request', gh.handler);
  return {
    url,
    gh,
    clock,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gh.close();
    },
  };
}

/** A minimal cookie jar for driving the HTML flows with fetch. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  /** fetch without following redirects, sending and storing cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.header());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(res);
    return res;
  }
}

/** A PKCE pair (RFC 7636 S256). */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const { createHash } = await import('node:crypto');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const basic = (id: string, secret: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

export const form = (params: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) p.append(k, item);
  return p;
};
