/**
 * Fixtures for the logout tests: a real HTTP server standing in for the
 * relying parties (it records front-channel GETs and back-channel POSTs),
 * clients registered with its logout URIs, and sign-in helpers per client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { GatehouseEvent } from '../../src/model/types.js';
import { CookieJar, form, pkce } from '../helpers/server.js';
import { authorizeUrl, expectCode, FORM, loginAndResume, openPage } from '../interaction/interaction-helpers.js';

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  body: URLSearchParams;
  contentType?: string;
}

export interface RelyingParty {
  url: string;
  received: Received[];
  /** Answers for back-channel paths: a status per call, in order (default 200); 'hang' never answers. */
  script: Map<string, (number | 'hang')[]>;
  /** Requests that hang until the server closes. */
  hanging: http.ServerResponse[];
  /** HTML served for GET of a path (a client's own page). */
  pages: Map<string, string>;
  close(): Promise<void>;
}

export async function startRelyingParty(): Promise<RelyingParty> {
  const received: Received[] = [];
  const script = new Map<string, (number | 'hang')[]>();
  const hanging: http.ServerResponse[] = [];
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://rp.invalid');
      received.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        body: new URLSearchParams(Buffer.concat(chunks).toString()),
        contentType: req.headers['content-type'],
      });
      const own = req.method === 'GET' ? pages.get(url.pathname) : undefined;
      if (own !== undefined) return void res.writeHead(200, { 'content-type': 'text/html' }).end(own);
      const next = script.get(url.pathname)?.shift() ?? 200;
      if (next === 'hang') return void hanging.push(res);
      res.writeHead(next, { 'content-type': 'text/html' }).end('<!doctype html><title>rp</title>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    script,
    hanging,
    pages,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A public code-flow client of the relying party server; `name` picks its paths. */
export function rpClient(rp: string, name: string, over: Record<string, unknown> = {}) {
  return {
    clientId: `app.${name}`,
    clientName: `App ${name}`,
    requireClientSecret: false,
    allowedGrantTypes: ['authorization_code', 'refresh_token'],
    allowOfflineAccess: true,
    allowedScopes: ['openid', 'profile', 'offline_access'],
    redirectUris: [`${rp}/cb/${name}`],
    postLogoutRedirectUris: [`${rp}/bye/${name}`],
    frontChannelLogoutUri: `${rp}/fc/${name}`,
    backChannelLogoutUri: `${rp}/bc/${name}`,
    ...over,
  };
}

/** Adds clients to a configuration (for startTestServer's mutate). */
export const withClients =
  (clients: Record<string, unknown>[], auth: Record<string, unknown> = {}) =>
  (c: ConfigInput) => {
    c.clients = [...(c.clients ?? []), ...(clients as NonNullable<ConfigInput['clients']>)];
    c.authentication = { ...c.authentication, ...auth };
  };

export interface ClientTokens {
  idToken: string;
  refreshToken: string;
  accessToken: string;
  /** The authorization response's parameters (code, state, iss, session_state). */
  response: URLSearchParams;
}

/**
 * Signs in (or uses the SSO session of `jar`) for a client and redeems the
 * code. Logs in as `username` when the login page shows.
 */
export async function signInClient(base: string, rp: string, jar: CookieJar, name: string, username = 'alice'): Promise<ClientTokens> {
  const { verifier, challenge } = await pkce();
  const redirectUri = `${rp}/cb/${name}`;
  const params = new URLSearchParams({
    client_id: `app.${name}`,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile offline_access',
    state: `st-${name}`,
    nonce: `n-${name}`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let res = await jar.fetch(authorizeUrl(base, params));
  const location = res.headers.get('location') ?? '';
  if (location.includes('/ui/login')) res = await loginAndResume(jar, base, await openPage(jar, new URL(location, base).toString()), username);
  const code = expectCode(res, base, redirectUri, `st-${name}`);
  const response = new URL(res.headers.get('location')!).searchParams;
  const tok = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: `app.${name}` }),
  });
  const body = (await tok.json()) as Record<string, string>;
  expect(tok.status).toBe(200);
  return { idToken: body.id_token, refreshToken: body.refresh_token, accessToken: body.access_token, response };
}

/** A refresh token request; status and body. */
export async function refresh(base: string, name: string, refreshToken: string): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${base}/connect/token`, {
    method: 'POST',
    headers: FORM,
    body: form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: `app.${name}` }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** An event sink that keeps what it gets. */
export function eventLog(): { events: GatehouseEvent[]; sink: (e: GatehouseEvent) => void; ofType: (t: string) => GatehouseEvent[] } {
  const events: GatehouseEvent[] = [];
  return { events, sink: (e) => events.push(e), ofType: (t) => events.filter((e) => e.type === t) };
}
