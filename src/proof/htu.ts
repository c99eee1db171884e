/**
 * The `htu` comparison of RFC 9449 §4.3 item 9: the proof's URI and the
 * request's URI, both without query and fragment, after syntax-based (RFC
 * 3986 §6.2.2) and scheme-based (§6.2.3) normalization.
 *
 * The WHATWG URL parser already lower-cases scheme and host, removes dot
 * segments and the default port, and gives an empty http(s) path as "/".
 * What it leaves is done here: percent-encoded octets with upper-case hex
 * digits, and unreserved characters (ALPHA, DIGIT, "-", ".", "_", "~")
 * decoded (§6.2.2.1, §6.2.2.2).
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function normalizePercentEncoding(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/** The normalized http(s) URI without query and fragment, or undefined when `uri` is not an absolute http(s) URI. */
export function normalizeHtu(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  if (u.username !== '' || u.password !== '') return undefined;
  // Decoding %2E gives "." segments: parse once more so they are removed too.
  const path = normalizePercentEncoding(u.pathname);
  let again: URL;
  try {
    again = new URL(`${u.origin}${path}`);
  } catch {
    return undefined;
  }
  return `${again.origin}${normalizePercentEncoding(again.pathname)}`;
}

/** True when the proof's `htu` names the request's URI (query and fragment ignored). */
export function htuMatches(htu: string, requestUrl: string): boolean {
  const a = normalizeHtu(htu);
  return a !== undefined && a === normalizeHtu(requestUrl);
}
