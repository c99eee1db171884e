/**
 * A request object by reference (RFC 9101 §5.2, OIDC Core §6.2): an https
 * `request_uri` fetched through the outbound client with the strict policy
 * (https only, no loopback, link-local or private addresses, no redirects,
 * the configured time and size limits). Off unless
 * `requestObjects.fetchByReference` is set.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequestUri } from '../errors.js';
import { createOutboundFetch, OutboundError, strictPolicy } from '../net/index.js';
import { REQUEST_OBJECT_LIMIT } from './verify-request-object.js';

/** Longest request_uri accepted (RFC 9101 §5.2.1 asks clients to stay within 512 ASCII characters). */
export const REQUEST_URI_LIMIT = 512;

/** The request object at `uri`; throws invalid_request_uri when it cannot be fetched (RFC 9101 §7). */
export async function fetchRequestObject(ctx: ProviderContext, uri: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidRequestUri('request_uri is not a URL');
  }
  if (url.protocol !== 'https:') throw new InvalidRequestUri('request_uri must use https');
  const policy = { ...strictPolicy(ctx.config.outbound), maxBytes: Math.min(ctx.config.outbound.maxBytes, REQUEST_OBJECT_LIMIT) };
  try {
    // The fragment is the client's cache buster (OIDC Core §6.2); it is not sent.
    url.hash = '';
    return (await createOutboundFetch(policy).text(url)).trim();
  } catch (err) {
    const reason = err instanceof OutboundError ? err.reason : err instanceof Error ? err.name : 'error';
    throw new InvalidRequestUri('the request object could not be fetched from request_uri', `${reason}: ${err instanceof Error ? err.message : ''}`);
  }
}
