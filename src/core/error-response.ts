/** One mapping per response channel for OAuth errors (DESIGN.md "Errors"). */
import type { OAuthError } from '../errors.js';
import { jsonResponse, noStoreJson, type InternalResponse } from './types.js';

/** Token-style endpoints: JSON body, the error's status; invalid_client carries WWW-Authenticate. */
export function jsonErrorResponse(err: OAuthError): InternalResponse {
  const headers: Record<string, string> = { ...err.headers };
  if (err.error === 'invalid_client' && !headers['www-authenticate']) {
    // RFC 6749 §5.2: 401 with WWW-Authenticate matching the scheme the client used.
    headers['www-authenticate'] = 'Basic realm="gatehouse"';
  }
  return noStoreJson(err.toJSON(), err.status, headers);
}

const quote = (s: string) => s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '');

/**
 * Resource-style endpoints (userinfo): RFC 6750 §3. A request without any
 * token gets only the challenge, no error code (§3.1).
 */
export function bearerErrorResponse(err: OAuthError, tokenPresented: boolean): InternalResponse {
  // A challenge of another scheme set by the endpoint (RFC 9449 §7.1 `DPoP`) is kept as is.
  if (err.headers?.['www-authenticate']) return jsonResponse(err.toJSON(), err.status, { ...err.headers, 'cache-control': 'no-store' });
  if (!tokenPresented && err.error === 'invalid_token') {
    return { status: 401, headers: { 'www-authenticate': 'Bearer realm="gatehouse"', 'cache-control': 'no-store' } };
  }
  const challenge = `Bearer realm="gatehouse", error="${err.error}", error_description="${quote(err.description)}"`;
  return jsonResponse(err.toJSON(), err.status, { ...err.headers, 'www-authenticate': challenge, 'cache-control': 'no-store' });
}
