import { renderAccountPage, type AccountPageProps } from './account-page.js';
import { renderAccountFlowPage, type AccountFlowPageProps } from './account-flow-page.js';
import { renderLogoutConfirmPage, type LogoutConfirmPageProps } from './logout-confirm-page.js';
import { renderConsentPage, type ConsentPageProps } from './consent-page.js';
import { renderDevicePage, type DevicePageProps } from './device-page.js';
import { renderErrorPage, type ErrorPageProps } from './error-page.js';
import { renderFormPostPage, type FormPostPageProps } from './form-post-page.js';
import { renderHomePage, type HomePageProps } from './home-page.js';
import { renderLoggedOutPage, type LoggedOutPageProps } from './logged-out-page.js';
import { renderLoginPage, type LoginPageProps } from './login-page.js';

/** Props of each built-in page, by page name. */
export interface PagePropsMap {
  login: LoginPageProps;
  consent: ConsentPageProps;
  error: ErrorPageProps;
  home: HomePageProps;
  loggedOut: LoggedOutPageProps;
  logoutConfirm: LogoutConfirmPageProps;
  formPost: FormPostPageProps;
  device: DevicePageProps;
  account: AccountPageProps;
  accountFlow: AccountFlowPageProps;
}

/** Names of the pages that can be rendered (and overridden). */
export type PageName = keyof PagePropsMap;

/** A page renderer: props in, complete HTML document out. */
export type PageRenderer<K extends PageName> = (props: PagePropsMap[K]) => string;

/**
 * Custom templates replacing built-in pages. A template receives the same
 * props as the built-in page and must return a complete HTML document; it is
 * responsible for its own escaping (render with preact to get it for free).
 */
export type PageTemplates = Partial<{ [K in PageName]: PageRenderer<K> }>;

const BUILT_IN: { [K in PageName]: PageRenderer<K> } = {
  login: renderLoginPage,
  consent: renderConsentPage,
  error: renderErrorPage,
  home: renderHomePage,
  loggedOut: renderLoggedOutPage,
  logoutConfirm: renderLogoutConfirmPage,
  formPost: renderFormPostPage,
  device: renderDevicePage,
  account: renderAccountPage,
  accountFlow: renderAccountFlowPage,
};

/**
 * Render a page by name, using the custom template when one is configured.
 *
 * @example
 * const html = renderPage('login', loginProps, {
 *   login: (p) => myEngine.render('login.html', p),
 * });
 */
export function renderPage<K extends PageName>(name: K, props: PagePropsMap[K], templates?: PageTemplates): string {
  const custom = templates?.[name];
  const renderer = custom ?? BUILT_IN[name];
  return renderer(props);
}
