import { describe, expect, it } from 'vitest';
import { renderLoggedOutPage } from '../../src/ui/index.js';
import { base } from './fixtures.js';
import { structuralProblems, tags, text } from './html-helpers.js';

describe('logged-out page', () => {
  it('says the user is signed out', () => {
    const html = renderLoggedOutPage(base);
    expect(structuralProblems(html)).toEqual([]);
    expect(html).toContain('<h1>You are now signed out</h1>');
    expect(tags(html, 'a')).toEqual([]);
  });

  it('links back to the client when a post-logout redirect is given', () => {
    const html = renderLoggedOutPage({ ...base, postLogoutRedirectUri: 'https://shop.example/bye?state=a&b=1', clientName: 'Example Shop' });
    expect(tags(html, 'a')).toEqual([{ class: 'gh-button gh-button-primary', href: 'https://shop.example/bye?state=a&b=1' }]);
    expect(text(html)).toContain('Return to Example Shop');
    expect(text(renderLoggedOutPage({ ...base, postLogoutRedirectUri: 'https://shop.example/' }))).toContain('Return to the application');
  });

  it('drops a script-capable redirect and renders front-channel logout iframes hidden', () => {
    const html = renderLoggedOutPage({
      ...base,
      postLogoutRedirectUri: 'javascript:alert(1)',
      frontChannelLogoutUris: ['https://a.example/fc?iss=x&sid=1', 'javascript:alert(2)'],
    });
    expect(html).not.toContain('javascript:');
    expect(tags(html, 'iframe')).toEqual([
      { class: 'gh-hidden-frame', src: 'https://a.example/fc?iss=x&sid=1', title: true, 'aria-hidden': 'true', tabindex: '-1' },
    ]);
  });

  it('renders in German', () => {
    expect(text(renderLoggedOutPage({ ...base, locale: 'de', postLogoutRedirectUri: 'https://s.example/', clientName: 'Shop' }))).toContain(
      'Sie sind jetzt abgemeldet Zurück zu Shop',
    );
  });
});
