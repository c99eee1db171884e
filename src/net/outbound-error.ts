/**
 * The one error type of outbound requests. Callers map `reason` to their own
 * answer (invalid_client_metadata, invalid_request_uri, a 503, ...); the
 * message names the URL (without query or credentials) and what went wrong,
 * never the response body.
 */

/** Why an outbound request failed. */
export type OutboundReason =
  /** The URL's scheme is not https (or http where the policy allows it), or it is not a URL. */
  | 'scheme'
  /** The host is, or resolves to, an address the policy refuses (loopback, private, link-local, ...). */
  | 'address_not_allowed'
  /** The host name does not resolve, or the connection failed or broke. */
  | 'network'
  /** No complete answer within the time limit (name resolution, connect, headers and body together). */
  | 'timeout'
  /** The body is larger than the size limit (declared or counted). */
  | 'too_large'
  /** The server answered a 3xx; redirects are never followed. */
  | 'redirect'
  /** Another status than the caller expects. */
  | 'status'
  /** The Content-Type is not one the caller accepts. */
  | 'content_type'
  /** The body is not UTF-8 JSON (or not the JSON shape the caller expects). */
  | 'not_json';

export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly reason: OutboundReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The URL as errors and logs may show it: scheme, host, port and path, without credentials or query. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
