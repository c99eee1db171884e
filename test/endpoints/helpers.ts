/**
 * Shared helpers for the token, introspection and revocation endpoint tests:
 * form posts with parsed JSON answers, client assertions, extra clients.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { ConfigInput } from '../../src/config/schema.js';
import { basic, form } from '../helpers/server.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** POSTs a form to `url + path` and parses the JSON answer (body {} when not JSON). */
export async function post(url: string, path: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url + path, { method: 'POST', headers, body: form(params) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body, text };
}

export const token = (url: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
  post(url, '/connect/token', params, headers);

/** A client-credentials token for m2m (client_secret_basic). */
export async function m2mToken(url: string, extra: Record<string, string | string[]> = {}, id = 'm2m', secret = 'secret'): Promise<string> {
  const r = await token(url, { grant_type: 'client_credentials', ...extra }, { authorization: basic(id, secret) });
  if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

/** Introspects as the API resource `api` (secret `secret`). */
export const introspectAsApi = (url: string, tok: string, extra: Record<string, string> = {}) =>
  post(url, '/connect/introspect', { token: tok, ...extra }, { authorization: basic('api', 'secret') });

export interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Seconds from `now`. */
  expIn?: number;
  jti?: string;
  now?: number;
  kid?: string;
}

/** Signs an RFC 7523 client assertion. */
export async function assertion(key: CryptoKey | Uint8Array, alg: string, clientId: string, o: AssertionOptions = {}): Promise<string> {
  const now = o.now ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ jti: o.jti ?? randomUUID() })
    .setProtectedHeader(o.kid ? { alg, kid: o.kid } : { alg })
    .setIssuer(o.iss ?? clientId)
    .setSubject(o.sub ?? clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + (o.expIn ?? 60));
  if (o.aud !== undefined) jwt.setAudience(o.aud);
  return jwt.sign(key);
}

export const assertionParams = (jwt: string, extra: Record<string, string> = {}) => ({
  client_assertion_type: JWT_BEARER,
  client_assertion: jwt,
  ...extra,
});

/** An ES256 key pair and its public JWK with a kid. */
export async function clientKeyPair(kid = 'k1'): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateKey, publicKey, jwk };
}

/** Adds a client_credentials client to a config. */
export function addM2mClient(c: ConfigInput, client: Record<string, unknown>): void {
  (c.clients as unknown[]).push({
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api'],
    ...client,
  });
}

/** Finds a client in a config by id, to mutate it. */
export function clientOf(c: ConfigInput, clientId: string): Record<string, unknown> {
  const found = (c.clients as Record<string, unknown>[]).find((x) => x.clientId === clientId);
  if (!found) throw new Error(`no client ${clientId}`);
  return found;
}
