/**
 * The plain internal request and response that endpoints see. The node and
 * fetch adapters translate at the edge; protocol code never imports node:http.
 */

import type { X509Certificate } from 'node:crypto';
import type { OAuthError } from '../errors.js';

/** Parameters with repeats kept, as parsed from a query string or a form body. */
export type Params = Map<string, string[]>;

export interface InternalRequest {
  method: string;
  /** Path without query, relative to the server root. */
  path: string;
  /** The request URL built from the configured issuer (never from Host). */
  url: URL;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Params;
  /** Form body parameters (application/x-www-form-urlencoded); empty when none. */
  body: Params;
  /** The raw body of a JSON route (`Route.json`): POST and PUT. */
  text?: string;
  cookies: Readonly<Record<string, string>>;
  requestId: string;
  ip?: string;
  /** The first problem of the parameters under the route's declaration (core/parameters.ts), raised by the endpoint. */
  parameterProblem?: OAuthError;
  /** Set once the client is known (authenticated, or named by an authorization request): access log, rate limits. */
  clientId?: string;
  /** RFC 9449: the thumbprint (`jkt`) of the request's verified DPoP proof key, set by the token endpoint (endpoints/token-dpop.ts). */
  dpopJkt?: string;
  /** RFC 8705: the client certificate of the TLS connection, or of a trusted proxy's header (http/client-certificate.ts). */
  readonly clientCertificate?: X509Certificate;
  /** RFC 8705 §3: the `x5t#S256` the request's tokens are bound to, set by the token endpoint (endpoints/token-mtls.ts). */
  certificateThumbprint?: string;
}

export interface SetCookie {
  name: string;
  value: string;
  /** Seconds; 0 deletes the cookie. Omitted for a session cookie. */
  maxAge?: number;
  path?: string;
  httpOnly?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None';
}

export interface InternalResponse {
  status: number;
  headers: Record<string, string>;
  /** Pre-encoded bytes or a string (UTF-8). */
  body?: string | Uint8Array;
  cookies?: SetCookie[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200, headers?: Record<string, string>): InternalResponse {
  const h: Record<string, string> = { 'content-type': JSON_TYPE };
  if (headers) Object.assign(h, headers);
  return { status, headers: h, body: JSON.stringify(body) };
}

/** A JSON response that must never be cached (token responses, RFC 6749 §5.1). */
export function noStoreJson(body: unknown, status = 200, headers?: Record<string, string>): InternalResponse {
  const h: Record<string, string> = { 'content-type': JSON_TYPE, 'cache-control': 'no-store', pragma: 'no-cache' };
  if (headers) Object.assign(h, headers);
  return { status, headers: h, body: JSON.stringify(body) };
}

export function redirectResponse(location: string, cookies?: SetCookie[]): InternalResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store' }, cookies };
}

export function htmlResponse(html: string, status = 200, cookies?: SetCookie[]): InternalResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: html,
    cookies,
  };
}
