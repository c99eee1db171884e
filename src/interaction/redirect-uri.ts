/** Redirect URI matching: exact string comparison, plus RFC 8252 §7.3 loopback ports. */
import type { Client } from '../model/types.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/**
 * True when `requested` is registered for the client. Exact match (RFC 9700
 * §4.1.3), except that for a registered `http://127.0.0.1/...` or
 * `http://[::1]/...` URI any port is accepted (RFC 8252 §7.3). `localhost` is
 * not a loopback literal and gets no port leniency (RFC 8252 §8.3).
 */
export function isRegisteredRedirectUri(client: Client, requested: string): boolean {
  if (client.redirectUriSet.has(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.hash || requested.includes('#')) return false;
  for (const registered of client.redirectUriSet) {
    let r: URL;
    try {
      r = new URL(registered);
    } catch {
      continue;
    }
    if (r.protocol !== 'http:' || r.hostname !== url.hostname || r.username || url.username) continue;
    // Compare everything but the port.
    if (r.pathname === url.pathname && r.search === url.search) return true;
  }
  return false;
}
