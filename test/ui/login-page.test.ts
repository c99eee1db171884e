import { describe, expect, it } from 'vitest';
import { renderLoginPage } from '../../src/ui/index.js';
import { CSRF, loginProps } from './fixtures.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

describe('login page', () => {
  it('renders a complete, accessible document', () => {
    const html = renderLoginPage(loginProps());
    expect(structuralProblems(html)).toEqual([]);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Sign in · Gatehouse</title>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(tags(html, 'main')).toHaveLength(1);
    expect(tags(html, 'link')).toEqual([{ rel: 'stylesheet', href: '/ui/assets/gatehouse.css' }]);
    expect(text(html)).toContain('to continue to Example Shop');
  });

  it('has username, password, remember, csrf and a submit button in the login form', () => {
    const [login] = forms(renderLoginPage(loginProps()));
    expect(login.attrs).toMatchObject({ method: 'post', action: '/ui/login/i1' });
    const inputs = tags(login.body, 'input');
    expect(inputs.find((i) => i.name === 'username')).toMatchObject({ id: 'username', autocomplete: 'username', type: 'text', autofocus: true });
    expect(inputs.find((i) => i.name === 'password')).toMatchObject({ id: 'password', autocomplete: 'current-password', type: 'password' });
    expect(inputs.find((i) => i.name === 'password')!.autofocus).toBeUndefined();
    expect(inputs.find((i) => i.name === 'remember')).toMatchObject({ type: 'checkbox', value: '1' });
    expect(inputs.find((i) => i.name === 'csrf')).toEqual({ type: 'hidden', name: 'csrf', value: CSRF });
    expect(tags(login.body, 'button')).toEqual([{ class: 'gh-button gh-button-primary', type: 'submit' }]);
  });

  it('prefills login_hint and then focuses the password', () => {
    const html = renderLoginPage(loginProps({ username: 'alice@example.com' }));
    const inputs = tags(html, 'input');
    expect(inputs.find((i) => i.name === 'username')).toMatchObject({ value: 'alice@example.com' });
    expect(inputs.filter((i) => i.autofocus === true).map((i) => i.name)).toEqual(['password']);
  });

  it('posts Cancel to cancelAction with the csrf token, and omits it without one', () => {
    const both = forms(renderLoginPage(loginProps()));
    expect(both).toHaveLength(2);
    expect(both[1].attrs.action).toBe('/ui/login/i1/cancel');
    expect(tags(both[1].body, 'input')).toEqual([{ type: 'hidden', name: 'csrf', value: CSRF }]);
    expect(text(both[1].body)).toContain('Cancel');
    expect(forms(renderLoginPage(loginProps({ cancelAction: undefined })))).toHaveLength(1);
  });

  it('shows one generic message for bad credentials, tied to the inputs', () => {
    const html = renderLoginPage(loginProps({ error: 'invalid_credentials', username: 'bob' }));
    expect(structuralProblems(html)).toEqual([]);
    expect(html).toContain('<div class="gh-alert" role="alert" id="login-error">Invalid username or password.</div>');
    for (const name of ['username', 'password']) {
      expect(tags(html, 'input').find((i) => i.name === name)).toMatchObject({ 'aria-describedby': 'login-error', 'aria-invalid': 'true' });
    }
  });

  it.each([
    ['locked_out', 'Too many failed attempts. Try again in 5 minutes.'],
    ['inactive', 'This account is disabled'],
    ['csrf', 'Your session has changed'],
    ['expired', 'This sign-in request has expired'],
  ] as const)('explains %s', (error, message) => {
    const html = renderLoginPage(loginProps({ error, retryAfter: 300 }));
    expect(text(html)).toContain(message);
    expect(tags(html, 'input').find((i) => i.name === 'password')!['aria-invalid']).toBeUndefined();
  });

  it('without an error there is no alert and no aria-describedby', () => {
    const html = renderLoginPage(loginProps());
    expect(html).not.toContain('role="alert"');
    expect(html).not.toContain('aria-describedby');
  });

  it('escapes the client name and user input', () => {
    const html = renderLoginPage(loginProps({ client: { name: '<script>alert(1)</script>' }, username: '"><img src=x onerror=alert(1)>' }));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(tags(html, 'img')).toEqual([]);
    expect(structuralProblems(html)).toEqual([]);
  });

  it('renders in German with ui_locales de-CH', () => {
    const html = renderLoginPage(loginProps({ locale: 'de', error: 'invalid_credentials' }));
    expect(html).toContain('<html lang="de">');
    const body = text(html);
    for (const s of [
      'Benutzername',
      'Passwort',
      'Angemeldet bleiben',
      'Anmelden',
      'Abbrechen',
      'um zu Example Shop fortzufahren',
      'Benutzername oder Passwort ist ungültig.',
    ]) {
      expect(body).toContain(s);
    }
    expect(body).not.toContain('Password');
  });
});
