import type { ConsentPageProps, LoginPageProps, ScopeView, ThemeView } from '../../src/ui/index.js';

export const theme: ThemeView = { productName: 'Gatehouse', hasTheme: false };

export const base = { locale: 'en' as const, theme, basePath: '/ui' };

export const CSRF = 'csrf-token-123';

export function loginProps(over: Partial<LoginPageProps> = {}): LoginPageProps {
  return {
    ...base,
    action: '/ui/login/i1',
    csrfToken: CSRF,
    client: { name: 'Example Shop' },
    cancelAction: '/ui/login/i1/cancel',
    ...over,
  };
}

export function scope(name: string, over: Partial<ScopeView> = {}): ScopeView {
  return { name, displayName: name, required: false, emphasize: false, checked: true, ...over };
}

export function consentProps(over: Partial<ConsentPageProps> = {}): ConsentPageProps {
  return {
    ...base,
    action: '/ui/consent/i1',
    csrfToken: CSRF,
    client: { name: 'Example Shop', logoUri: 'https://shop.example/logo.png', clientUri: 'https://shop.example' },
    user: { name: 'Alice Smith' },
    identityScopes: [
      scope('openid', { displayName: 'Your user identifier', required: true }),
      scope('email', { displayName: 'Your email address', description: 'Email and whether it is verified' }),
    ],
    apiScopes: [scope('offline_access', { displayName: 'Offline access', emphasize: true, checked: false })],
    allowRemember: true,
    ...over,
  };
}
