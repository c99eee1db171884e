import { describe, expect, it } from 'vitest';
import { renderFormPostPage } from '../../src/ui/index.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

const NONCE = 'r4nd0mN0nceValue_AAAA==';

describe('form_post response page (OAuth 2.0 Form Post Response Mode §2)', () => {
  const props = { action: 'https://app.example/cb', fields: { code: 'abc', state: 'x"y<z', iss: 'https://id.example' }, locale: 'en' as const };

  it('posts every field to the redirect_uri with a visible Continue button', () => {
    const html = renderFormPostPage(props);
    expect(structuralProblems(html)).toEqual([]);
    const [form] = forms(html);
    expect(form.attrs).toEqual({ method: 'post', action: 'https://app.example/cb' });
    expect(tags(form.body, 'input')).toEqual([
      { type: 'hidden', name: 'code', value: 'abc' },
      { type: 'hidden', name: 'state', value: 'x"y<z' },
      { type: 'hidden', name: 'iss', value: 'https://id.example' },
    ]);
    expect(tags(form.body, 'button')).toEqual([{ class: 'gh-button gh-button-primary', type: 'submit' }]);
    expect(text(form.body)).toContain('Continue');
    expect(html).not.toContain('<noscript');
  });

  it('has no script without a nonce, and an auto-submit script with one', () => {
    expect(renderFormPostPage(props)).not.toContain('<script');
    const html = renderFormPostPage({ ...props, nonce: NONCE });
    expect(html).toContain(`<script nonce="${NONCE}">document.forms[0].submit()</script>`);
    expect(structuralProblems(html)).toEqual([]);
  });

  it('refuses a nonce that is not base64', () => {
    expect(renderFormPostPage({ ...props, nonce: 'abc" onload="x' })).not.toContain('<script');
    expect(renderFormPostPage({ ...props, nonce: 'short' })).not.toContain('<script');
  });

  it('links the stylesheets only when a base path is given', () => {
    expect(tags(renderFormPostPage(props), 'link')).toEqual([]);
    expect(tags(renderFormPostPage({ ...props, basePath: '/ui' }), 'link')).toEqual([{ rel: 'stylesheet', href: '/ui/assets/gatehouse.css' }]);
  });

  it('refuses a script-capable action', () => {
    expect(() => renderFormPostPage({ ...props, action: 'javascript:alert(1)' })).toThrow(TypeError);
  });

  it('renders in German', () => {
    const html = renderFormPostPage({ ...props, locale: 'de' });
    expect(html).toContain('<html lang="de">');
    expect(text(html)).toContain('Weiter');
  });
});
