/** Redirect URI matching: exact string comparison, plus RFC 8252 §7.3 loopback ports. */
import type { Client } from './types.js';

/**
 * A loopback IP literal redirect URI, split around its optional port. Only the
 * literal spellings count: `127.1`, `2130706433` or `localhost` are not
 * loopback literals here (RFC 8252 §7.3, §8.3).
 */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/;

/** The URI with its port removed, when it is a loopback literal with a valid port. */
function withoutPort(uri: string): string | undefined {
  const m = LOOPBACK.exec(uri);
  if (!m || (m[2] !== undefined && Number(m[2]) > 65535)) return undefined;
  return `http://${m[1]}${m[3] ?? ''}`;
}

/**
 * True when `requested` is registered for the client. Exact string match
 * (RFC 9700 §4.1.3), except that for a registered `http://127.0.0.1/...` or
 * `http://[::1]/...` URI any port is accepted (RFC 8252 §7.3): the strings
 * must be equal once the port is removed from both, so no URL normalisation
 * (dot segments, `127.1`, case) can widen the match. `localhost` gets no port
 * leniency (RFC 8252 §8.3).
 */
export function isRegisteredRedirectUri(client: Client, requested: string): boolean {
  return matchesRegisteredUri(client.redirectUriSet, requested);
}

/**
 * The same rule over any list of registered URIs (also post-logout redirect
 * URIs, which the demo contract gives the same loopback leniency).
 *
 * @example
 * matchesRegisteredUri(['http://127.0.0.1/'], 'http://127.0.0.1:8123/'); // true
 */
export function matchesRegisteredUri(registered: Iterable<string>, requested: string): boolean {
  const bare = withoutPort(requested);
  for (const r of registered) {
    if (r === requested) return true;
    if (bare !== undefined && withoutPort(r) === bare) return true;
  }
  return false;
}
