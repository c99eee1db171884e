import { describe, expect, it } from 'vitest';
import { renderErrorPage } from '../../src/ui/index.js';
import { base } from './fixtures.js';
import { structuralProblems, text } from './html-helpers.js';

describe('error page', () => {
  const props = { ...base, error: 'invalid_request', description: 'redirect_uri is not registered for this client', requestId: 'req_8f2c91' };

  it('shows a readable title, the OAuth error code, its description and the reference', () => {
    const html = renderErrorPage(props);
    expect(structuralProblems(html)).toEqual([]);
    const body = text(html);
    expect(html).toContain('<h1>Sign-in request cannot be completed</h1>');
    expect(html).toContain('<code class="gh-code">invalid_request</code>');
    expect(body).toContain('redirect_uri is not registered for this client');
    expect(body).toContain('Reference: req_8f2c91');
  });

  it('uses "Something went wrong" for server-side errors', () => {
    const html = renderErrorPage({ ...props, error: 'server_error', description: undefined });
    expect(html).toContain('<h1>Something went wrong</h1>');
    expect(text(html)).not.toContain('Details');
  });

  it('escapes the description and error code', () => {
    const html = renderErrorPage({ ...props, error: '<x>', description: '<script>alert(1)</script>' });
    expect(html).not.toMatch(/<script|<x>/);
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  });

  it('renders in German', () => {
    const body = text(renderErrorPage({ ...props, locale: 'de' }));
    expect(body).toContain('Die Anmeldeanfrage kann nicht abgeschlossen werden');
    expect(body).toContain('Referenz: req_8f2c91');
  });
});
