import { describe, expect, it } from 'vitest';
import { renderHomePage } from '../../src/ui/index.js';
import { base, CSRF } from './fixtures.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

const user = {
  name: 'Alice Smith',
  username: 'alice',
  subjectId: '818727',
  claims: [
    ['email', 'alice@example.com'],
    ['website', '<script>alert(1)</script>'],
  ] as [string, string][],
};

describe('home page', () => {
  it('shows who is signed in, their claims and a sign-out form with csrf', () => {
    const html = renderHomePage({ ...base, user, signOutAction: '/ui/logout', csrfToken: CSRF });
    expect(structuralProblems(html)).toEqual([]);
    const body = text(html);
    for (const s of ['Signed in as Alice Smith', 'alice', '818727', 'email', 'alice@example.com']) expect(body).toContain(s);
    expect(html).toContain('<dt class="gh-code">email</dt><dd>alice@example.com</dd>');
    const [signOut] = forms(html);
    expect(signOut.attrs).toMatchObject({ method: 'post', action: '/ui/logout' });
    expect(tags(signOut.body, 'input')).toEqual([{ type: 'hidden', name: 'csrf', value: CSRF }]);
    expect(text(signOut.body)).toContain('Sign out');
    expect(html).not.toContain('<script>');
  });

  it('says so when nobody is signed in, without a form', () => {
    const html = renderHomePage({ ...base, signOutAction: '/ui/logout', csrfToken: CSRF });
    expect(structuralProblems(html)).toEqual([]);
    expect(html).toContain('<h1>You are not signed in</h1>');
    expect(text(html)).toContain('Gatehouse is the sign-in service');
    expect(forms(html)).toEqual([]);
  });

  it('renders in German', () => {
    const body = text(renderHomePage({ ...base, locale: 'de', user, signOutAction: '/ui/logout', csrfToken: CSRF }));
    expect(body).toContain('Angemeldet als Alice Smith');
    expect(body).toContain('Abmelden');
  });
});
