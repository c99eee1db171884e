/**
 * Built-in pages: pure functions from props to a complete HTML document.
 * No protocol logic and no I/O; the interaction API wires them up.
 *
 * @example
 * import { renderPage, pickLocale } from './ui/index.js';
 * const locale = pickLocale(request.uiLocales, config.ui.defaultLocale);
 * const html = renderPage('login', { locale, theme, basePath, action, csrfToken, client }, options.templates);
 */
export { STYLESHEET, PALETTES, themeStylesheet } from './styles.js';
export { pickLocale, t, isLocale, SUPPORTED_LOCALES, type Locale, type Messages } from './i18n.js';
// Building blocks for custom templates (render with preact to keep escaping).
export { Layout, renderDocument, safeUrl, type ThemeView, type PageBaseProps } from './layout.js';
export { CsrfField, Alert, ClientLogo, ClientName, type ClientView } from './components.js';
export { LoginPage, renderLoginPage, type LoginPageProps, type LoginError } from './login-page.js';
export { ConsentPage, renderConsentPage, type ConsentPageProps, type ScopeView } from './consent-page.js';
export { ErrorPage, renderErrorPage, type ErrorPageProps } from './error-page.js';
export { HomePage, renderHomePage, type HomePageProps, type HomeUserView } from './home-page.js';
export { LoggedOutPage, renderLoggedOutPage, type LoggedOutPageProps } from './logged-out-page.js';
export { DevicePage, renderDevicePage, type DevicePageProps, type DeviceCodeError } from './device-page.js';
export { FormPostPage, renderFormPostPage, type FormPostPageProps } from './form-post-page.js';
export {
  AccountPage,
  renderAccountPage,
  type AccountPageProps,
  type AccountSessionView,
  type AccountAppView,
  type AccountLinkView,
  type AccountNotice,
} from './account-page.js';
export { AccountFlowPage, renderAccountFlowPage, type AccountFlowPageProps, type AccountFlowStep } from './account-flow-page.js';
export type { AccountError, PasswordLimits } from './account-messages.js';
export { renderPage, type PageTemplates, type PageName, type PagePropsMap, type PageRenderer } from './templates.js';
