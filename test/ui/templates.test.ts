import { describe, expect, it } from 'vitest';
import {
  renderConsentPage,
  renderErrorPage,
  renderFormPostPage,
  renderHomePage,
  renderLoggedOutPage,
  renderLoginPage,
  renderPage,
  type PageTemplates,
} from '../../src/ui/index.js';
import { base, consentProps, CSRF, loginProps } from './fixtures.js';
import { forms, structuralProblems, tags } from './html-helpers.js';

/** One instance of every page with every optional part switched on. */
function everyPage(locale: 'en' | 'de'): [string, string][] {
  const b = { ...base, locale, theme: { productName: 'Acme ID', hasTheme: true, logoUrl: 'https://cdn.example/logo.svg', stylesheetUrl: '/custom.css' } };
  return [
    ['login', renderLoginPage(loginProps({ ...b, error: 'invalid_credentials', username: 'a' }))],
    ['consent', renderConsentPage(consentProps(b))],
    ['error', renderErrorPage({ ...b, error: 'invalid_scope', description: 'nope', requestId: 'r1' })],
    [
      'home',
      renderHomePage({
        ...b,
        user: { name: 'A', username: 'a', subjectId: '1', claims: [['x', 'y']] },
        signOutAction: '/ui/logout',
        csrfToken: CSRF,
        grants: [
          { clientId: 'c1', name: 'App 1' },
          { clientId: 'c2', name: 'App 2' },
        ],
        revokeAction: '/ui/grants/revoke',
      }),
    ],
    [
      'loggedOut',
      renderLoggedOutPage({
        ...b,
        postLogoutRedirectUri: 'https://x.example/',
        frontChannelLogoutUris: ['https://x.example/fc'],
        scriptNonce: 'AAAAAAAAAAAAAAAAAAAAAA',
      }),
    ],
    [
      'formPost',
      renderFormPostPage({ action: 'https://x.example/cb', fields: { code: 'c' }, locale, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', basePath: '/ui', theme: b.theme }),
    ],
  ];
}

describe('all pages', () => {
  it.each(['en', 'de'] as const)('pass the structural, CSP and label checks (%s)', (locale) => {
    for (const [name, html] of everyPage(locale)) expect(structuralProblems(html), name).toEqual([]);
  });

  it('carry the csrf token in every form that posts back to us', () => {
    for (const [name, html] of everyPage('en')) {
      if (name === 'formPost') continue; // posts to the client, which has its own state
      for (const form of forms(html)) expect(tags(form.body, 'input'), name).toContainEqual({ type: 'hidden', name: 'csrf', value: CSRF });
    }
  });

  it('link the built-in, theme and custom stylesheets in order, and show the logo', () => {
    for (const [name, html] of everyPage('en')) {
      expect(
        tags(html, 'link').map((l) => l.href),
        name,
      ).toEqual(['/ui/assets/gatehouse.css', '/ui/assets/theme.css', '/custom.css']);
      if (name !== 'formPost') expect(tags(html, 'img'), name).toContainEqual({ src: 'https://cdn.example/logo.svg', alt: 'Acme ID logo' });
    }
  });

  it('have landmarks: one main, plus header and footer on the framed pages', () => {
    for (const [name, html] of everyPage('en')) {
      expect(tags(html, 'main'), name).toHaveLength(1);
      if (name !== 'formPost') expect(html, name).toMatch(/<header[^>]*>[\s\S]*<\/header><main[\s\S]*<footer/);
    }
  });
});

describe('structuralProblems (the checker itself)', () => {
  it('flags what it should', () => {
    const doc = (body: string) => `<!doctype html><html lang="en"><body>${body}</body></html>`;
    expect(structuralProblems(doc('<div style="color:red"></div>'))).toEqual(['inline style attribute']);
    expect(structuralProblems(doc('<script>x()</script>'))).toEqual(['script without nonce']);
    expect(structuralProblems(doc('<button onclick="x()"></button>'))).toEqual(['inline event handler onclick']);
    expect(structuralProblems(doc('<label for="a">A</label><input id="b"/>'))).toEqual(['label for=a has no target']);
    expect(structuralProblems('<html><body></body></html>')).toEqual(['no doctype', 'no lang']);
  });
});

describe('renderPage and custom templates', () => {
  it('uses the built-in page without an override', () => {
    expect(renderPage('login', loginProps())).toBe(renderLoginPage(loginProps()));
    expect(renderPage('error', { ...base, error: 'x', requestId: 'r' }, {})).toBe(renderErrorPage({ ...base, error: 'x', requestId: 'r' }));
  });

  it('uses the override with the same props', () => {
    const templates: PageTemplates = {
      login: (p) => `<!doctype html><p>Custom login for ${p.client.name} (${p.csrfToken})</p>`,
    };
    expect(renderPage('login', loginProps(), templates)).toBe(`<!doctype html><p>Custom login for Example Shop (${CSRF})</p>`);
    // other pages stay built-in
    expect(renderPage('loggedOut', base, templates)).toBe(renderLoggedOutPage(base));
  });
});
