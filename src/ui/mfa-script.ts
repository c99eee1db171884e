/**
 * The passkey buttons' script (served as `<basePath>/assets/mfa.js`, loaded
 * with the page's CSP nonce after `webauthn-browser.js`, the
 * @simplewebauthn/browser bundle). A button `data-gh-webauthn="authenticate"`
 * or `"register"` is shown where WebAuthn works; a click posts the form's
 * CSRF token (and name) to `data-options`, runs the ceremony, puts the
 * credential JSON into the form's `credential` field and submits the form.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MFA_SCRIPT = `(function () {
  var W = window.SimpleWebAuthnBrowser;
  if (!W || !W.browserSupportsWebAuthn()) return;
  document.querySelectorAll('[data-gh-webauthn]').forEach(function (button) {
    var form = button.form;
    var error = form.querySelector('[data-gh-webauthn-error]');
    button.hidden = false;
    button.addEventListener('click', function () {
      if (error) error.hidden = true;
      var body = new URLSearchParams();
      body.set('csrf', form.elements.csrf.value);
      if (form.elements.name) body.set('name', form.elements.name.value);
      fetch(button.getAttribute('data-options'), { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (res) { if (!res.ok) throw new Error('options ' + res.status); return res.json(); })
        .then(function (options) {
          return button.getAttribute('data-gh-webauthn') === 'register'
            ? W.startRegistration({ optionsJSON: options })
            : W.startAuthentication({ optionsJSON: options });
        })
        .then(function (credential) {
          form.elements.credential.value = JSON.stringify(credential);
          form.submit();
        })
        .catch(function () { if (error) error.hidden = false; });
    });
  });
})();
`;

/** The @simplewebauthn/browser UMD bundle (global SimpleWebAuthnBrowser), read once from node_modules. */
export function webauthnBrowserBundle(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map names ./script/index.js for require; the bundle sits beside it under dist/bundle.
  const root = dirname(dirname(require.resolve('@simplewebauthn/browser')));
  return readFileSync(join(root, 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}
