/** The home page's pending CIBA requests section: one form per request, with CSRF, escaped text, translated. */
import { describe, expect, it } from 'vitest';
import { renderHomePage } from '../../src/ui/index.js';
import { base, CSRF } from './fixtures.js';
import { forms, structuralProblems, tags, text } from './html-helpers.js';

const user = { name: 'Alice Smith', username: 'alice', subjectId: '1', claims: [] as [string, string][] };
const requests = [
  { id: 'req-1', clientName: 'Bank <App>', scopes: ['openid', 'api'], bindingMessage: 'TX 42' },
  { id: 'req-2', clientName: 'Shop', scopes: ['openid'] },
];

describe('home page: pending CIBA requests', () => {
  it('shows each request with its client, binding message and scopes, and approve/deny buttons in a CSRF form', () => {
    const html = renderHomePage({ ...base, user, signOutAction: '/ui/logout', csrfToken: CSRF, cibaRequests: requests, cibaDecisionAction: '/ui/ciba/decide' });
    expect(structuralProblems(html)).toEqual([]);
    const decisions = forms(html).filter((f) => f.attrs.action === '/ui/ciba/decide');
    expect(decisions).toHaveLength(2);
    expect(decisions[0].attrs.method).toBe('post');
    expect(tags(decisions[0].body, 'input')).toEqual([
      { type: 'hidden', name: 'csrf', value: CSRF },
      { type: 'hidden', name: 'id', value: 'req-1' },
    ]);
    expect(tags(decisions[0].body, 'button').map((b) => [b.name, b.value])).toEqual([
      ['decision', 'approve'],
      ['decision', 'deny'],
    ]);
    expect(text(decisions[0].body)).toContain('Bank <App> asks you to sign in');
    expect(decisions[0].body).not.toContain('<App>');
    expect(text(decisions[0].body)).toContain('TX 42');
    expect(text(decisions[0].body)).toContain('openid api');
    expect(text(decisions[1].body)).not.toContain('Code shown by the application');
  });

  it('has no section when nothing is pending, and speaks German', () => {
    const none = renderHomePage({ ...base, user, signOutAction: '/ui/logout', csrfToken: CSRF, cibaRequests: [], cibaDecisionAction: '/ui/ciba/decide' });
    expect(none).not.toContain('ciba-heading');
    const de = renderHomePage({
      ...base,
      locale: 'de',
      user,
      signOutAction: '/ui/logout',
      csrfToken: CSRF,
      cibaRequests: requests,
      cibaDecisionAction: '/ui/ciba/decide',
    });
    expect(text(de)).toContain('Anmeldeanfragen, die auf Sie warten');
    expect(text(de)).toContain('Zulassen');
  });
});
