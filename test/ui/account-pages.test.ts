/** The account pages as pure renderers: escaping, translations, optional sections, CSRF in every form. */
import { describe, expect, it } from 'vitest';
import { renderAccountFlowPage, renderAccountPage, type AccountFlowPageProps, type AccountPageProps } from '../../src/ui/index.js';
import { base, CSRF } from './fixtures.js';

const limits = { minLength: 10, maxLength: 256 };

function accountProps(over: Partial<AccountPageProps> = {}): AccountPageProps {
  return {
    ...base,
    csrfToken: CSRF,
    user: { name: 'Ada <script>alert(1)</script>', username: 'ada@example.test', email: 'ada@example.test', subjectId: 's-1' },
    limits,
    changePasswordAction: '/ui/account/password',
    sessions: [
      { sid: 'sid-1', current: true, signedIn: 'Dec 8, 2026, 2:00 AM UTC', apps: ['Shop'] },
      { sid: 'sid-2', current: false, signedIn: 'Dec 7, 2026, 9:00 PM UTC', apps: [] },
    ],
    endSessionAction: '/ui/account/sessions/end',
    apps: [{ clientId: 'shop', name: 'Shop "&" Co' }],
    revokeAction: '/ui/account/apps/revoke',
    links: [
      { kind: 'security', href: '/ui/account/security' },
      { kind: 'linked', href: 'javascript:alert(1)' },
    ],
    deleteAction: '/ui/account/delete',
    signOutAction: '/ui/logout',
    ...over,
  };
}

const forms = (html: string) => html.match(/<form[^>]*>/g) ?? [];
const csrfFields = (html: string) => html.match(new RegExp(`name="csrf" value="${CSRF}"`, 'g')) ?? [];

describe('account page', () => {
  it('escapes user data and carries the CSRF token in every form', () => {
    const html = renderAccountPage(accountProps());
    expect(html).not.toContain('<script>');
    expect(html).toContain('Ada &lt;script>');
    expect(html).toContain('Shop &quot;&amp;&quot; Co');
    expect(forms(html).length).toBeGreaterThan(4);
    expect(csrfFields(html)).toHaveLength(forms(html).length);
  });

  it('links the further account pages, only with safe URLs', () => {
    const html = renderAccountPage(accountProps());
    expect(html).toContain('href="/ui/account/security"');
    expect(html).not.toContain('javascript:');
  });

  it('leaves out what is off: password change (managed elsewhere) and deletion', () => {
    const html = renderAccountPage(accountProps({ changePasswordAction: undefined, deleteAction: undefined, links: [] }));
    expect(html).toContain('managed elsewhere');
    expect(html).not.toContain('action="/ui/account/password"');
    expect(html).not.toContain('Delete my account');
    expect(html).not.toContain('Security and sign-in');
  });

  it('shows the error of a form with the field marked, in German too', () => {
    const en = renderAccountPage(accountProps({ passwordError: 'wrong_password' }));
    expect(en).toContain('role="alert"');
    expect(en).toMatch(/id="current-password"[^>]*aria-describedby="password-error"[^>]*aria-invalid="true"/);
    const de = renderAccountPage(accountProps({ locale: 'de', passwordError: 'too_short' }));
    expect(de).toContain('<html lang="de">');
    expect(de).toContain('Das Passwort braucht mindestens 10 Zeichen.');
  });
});

describe('account flow page', () => {
  const flow = (over: Partial<AccountFlowPageProps>) =>
    renderAccountFlowPage({ ...base, limits, step: 'register', action: '/ui/account/register', csrfToken: CSRF, ...over });

  it('renders every step, with a CSRF field in each form', () => {
    const steps: AccountFlowPageProps['step'][] = [
      'register',
      'registerSent',
      'verify',
      'verified',
      'resetRequest',
      'resetSent',
      'resetForm',
      'resetDone',
      'linkInvalid',
      'deleted',
    ];
    for (const step of steps) {
      const html = flow({ step, token: 't'.repeat(43) });
      expect(html).toMatch(/<h1>[^<]+<\/h1>/);
      expect(csrfFields(html)).toHaveLength(forms(html).length);
    }
  });

  it('keeps the link token in the verify and reset forms, escaped', () => {
    expect(flow({ step: 'resetForm', token: 'abc"><x' })).toContain('name="token" value="abc&quot;>&lt;x"');
  });

  it('tells an expired link from a used one and offers a new one', () => {
    expect(flow({ step: 'linkInvalid', linkProblem: 'expired', resetUrl: '/ui/account/reset' })).toContain('This link has expired');
    const used = flow({ step: 'linkInvalid', linkProblem: 'invalid', resetUrl: '/ui/account/reset' });
    expect(used).toContain('already used');
    expect(used).toContain('href="/ui/account/reset"');
    expect(flow({ step: 'linkInvalid', locale: 'de', linkProblem: 'expired' })).toContain('Dieser Link ist abgelaufen');
  });
});
