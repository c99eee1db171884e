import { describe, expect, it } from 'vitest';
import { renderConsentPage } from '../../src/ui/index.js';
import { CSRF, consentProps, scope } from './fixtures.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

describe('consent page', () => {
  it('renders a complete, accessible document with one form carrying the csrf token', () => {
    const html = renderConsentPage(consentProps());
    expect(structuralProblems(html)).toEqual([]);
    const all = forms(html);
    expect(all).toHaveLength(1);
    expect(all[0].attrs).toMatchObject({ method: 'post', action: '/ui/consent/i1' });
    expect(tags(all[0].body, 'input')).toContainEqual({ type: 'hidden', name: 'csrf', value: CSRF });
    expect(text(html)).toContain('Example Shop wants to access your account');
    expect(text(html)).toContain('Signed in as Alice Smith');
  });

  it('shows required scopes checked and disabled, submitted through a hidden input', () => {
    const inputs = tags(renderConsentPage(consentProps()), 'input');
    const box = inputs.find((i) => i.id === 'scope-identity-0')!;
    expect(box).toMatchObject({ type: 'checkbox', checked: true, disabled: true });
    expect(box.name).toBeUndefined();
    expect(inputs).toContainEqual({ type: 'hidden', name: 'scope', value: 'openid' });
  });

  it('shows optional scopes as checkboxes named scope, keeping their checked state', () => {
    const html = renderConsentPage(consentProps());
    const inputs = tags(html, 'input');
    expect(inputs.find((i) => i.value === 'email')).toMatchObject({
      type: 'checkbox',
      name: 'scope',
      checked: true,
      'aria-describedby': 'scope-identity-1-desc',
    });
    const offline = inputs.find((i) => i.value === 'offline_access')!;
    expect(offline).toMatchObject({ type: 'checkbox', name: 'scope' });
    expect(offline.checked).toBeUndefined();
    expect(inputs.filter((i) => i.type === 'hidden' && i.name === 'scope').map((i) => i.value)).toEqual(['openid']);
    expect(html).toContain('<li class="gh-scope gh-scope-emphasize">');
    expect(text(html)).toContain('Email and whether it is verified');
  });

  it('has allow and deny submit buttons named decision', () => {
    const buttons = tags(renderConsentPage(consentProps()), 'button');
    expect(buttons.map((b) => [b.type, b.name, b.value])).toEqual([
      ['submit', 'decision', 'allow'],
      ['submit', 'decision', 'deny'],
    ]);
  });

  it('offers "Remember my decision" only when allowed', () => {
    const remember = (allowRemember: boolean) => tags(renderConsentPage(consentProps({ allowRemember })), 'input').filter((i) => i.name === 'remember');
    expect(remember(true)).toEqual([{ id: 'remember', name: 'remember', type: 'checkbox', value: '1', checked: true }]);
    expect(remember(false)).toEqual([]);
  });

  it('shows the client logo with alt text and links clientUri safely', () => {
    const html = renderConsentPage(consentProps());
    expect(tags(html, 'img')).toEqual([{ class: 'gh-client-logo', src: 'https://shop.example/logo.png', alt: 'Example Shop logo' }]);
    expect(tags(html, 'a')).toEqual([{ href: 'https://shop.example', rel: 'noopener noreferrer', target: '_blank' }]);
  });

  it('never renders script-capable client URLs', () => {
    const html = renderConsentPage(consentProps({ client: { name: 'Evil', logoUri: 'javascript:alert(1)', clientUri: 'javascript:alert(1)' } }));
    expect(html).not.toContain('javascript:');
    expect(tags(html, 'a')).toEqual([]);
    expect(tags(html, 'img')).toEqual([]);
  });

  it('escapes client, user and scope text', () => {
    const html = renderConsentPage(
      consentProps({
        client: { name: '<script>alert(1)</script>' },
        user: { name: '<b>x</b>' },
        apiScopes: [scope('api', { displayName: '<i>api</i>', description: '"><script>alert(2)</script>' })],
      }),
    );
    expect(html).not.toMatch(/<script|<b>|<i>/);
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(structuralProblems(html)).toEqual([]);
  });

  it('omits an empty scope group and falls back to the scope name without a display name', () => {
    const html = renderConsentPage(consentProps({ apiScopes: [], identityScopes: [scope('profile', { displayName: '' })] }));
    expect(text(html)).not.toContain('Application access');
    expect(html).toContain('<span class="gh-scope-name">profile</span>');
  });

  it('renders in German', () => {
    const body = text(renderConsentPage(consentProps({ locale: 'de' })));
    for (const s of [
      'Example Shop möchte auf Ihr Konto zugreifen',
      'Persönliche Informationen',
      'Anwendungszugriff',
      'erforderlich',
      'Entscheidung merken',
      'Erlauben',
      'Ablehnen',
    ]) {
      expect(body).toContain(s);
    }
  });
});
