/** Headers sent on every response (DESIGN.md "HTTP and UI"). */
export function baseSecurityHeaders(https: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (https) h['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return h;
}

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
