/**
 * Headers sent on every response (DESIGN.md "HTTP and UI"): nosniff, HSTS on
 * https, and a CSP (added by the dispatcher) whose frame-ancestors 'none'
 * forbids framing of anything we serve.
 */
export function baseSecurityHeaders(https: boolean): Record<string, string> {
  const h: Record<string, string> = { 'x-content-type-options': 'nosniff' };
  if (https) h['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return h;
}

/**
 * Headers that only matter for what a browser navigates to (pages and
 * redirects): legacy frame protection, no referrer leaking codes or
 * interaction ids, and a separate browsing context group. JSON, JWKS and CSS
 * responses do without them, which keeps the hot static paths lean.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** CSP for JSON and other non-HTML responses. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** CSP for the built-in pages: no inline script or style; forms may post to the listed origins. */
export function pageCsp(formActionOrigins: readonly string[] = [], scriptNonce?: string): string {
  const formAction = ["'self'", ...formActionOrigins].join(' ');
  const script = scriptNonce ? `'nonce-${scriptNonce}'` : "'none'";
  return (
    `default-src 'self'; script-src ${script}; style-src 'self'; img-src 'self' https: data:; ` +
    `form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`
  );
}
