/** The built-in pages' stylesheet, theme and signed-out script, served as static responses. */
import type { Route } from '../../core/router.js';
import type { Config } from '../../config/schema.js';
import { SIGNED_OUT_SCRIPT } from '../signed-out-script.js';
import { MFA_SCRIPT, webauthnBrowserBundle } from '../mfa-script.js';
import { STYLESHEET, themeStylesheet } from '../index.js';
import { asset } from './page-kit.js';

export function assetRoutes(ui: Config['ui'], base: string): [string, Route][] {
  return [
    [`${base}/assets/gatehouse.css`, asset(STYLESHEET)],
    [`${base}/assets/theme.css`, asset(themeStylesheet(ui.colors))],
    [`${base}/assets/signed-out.js`, asset(SIGNED_OUT_SCRIPT, 'text/javascript; charset=utf-8')],
    // Passkeys (docs/mfa.md): the @simplewebauthn/browser bundle and the buttons' script.
    [`${base}/assets/webauthn-browser.js`, asset(webauthnBrowserBundle(), 'text/javascript; charset=utf-8')],
    [`${base}/assets/mfa.js`, asset(MFA_SCRIPT, 'text/javascript; charset=utf-8')],
  ];
}
