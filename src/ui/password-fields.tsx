/** The new-password pair of the account forms (change, reset, registration). */
import type { VNode } from 'preact';
import type { Messages } from './i18n.js';
import type { PasswordLimits } from './account-messages.js';

export function NewPasswordFields(props: { m: Messages; limits: PasswordLimits; idPrefix: string; describedBy?: string; invalid?: boolean }): VNode {
  const { m, limits, idPrefix } = props;
  const hint = `${idPrefix}-hint`;
  const describedBy = [hint, props.describedBy].filter(Boolean).join(' ');
  const invalid = props.invalid ? 'true' : undefined;
  return (
    <>
      <div class="gh-field">
        <label class="gh-label" for={`${idPrefix}-password`}>
          {m.accountNewPassword}
        </label>
        <input
          class="gh-input"
          id={`${idPrefix}-password`}
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={limits.minLength}
          maxLength={limits.maxLength}
          aria-describedby={describedBy}
          aria-invalid={invalid}
        />
        <p class="gh-muted gh-small" id={hint}>
          {m.accountPasswordHint(limits.minLength)}
        </p>
      </div>
      <div class="gh-field">
        <label class="gh-label" for={`${idPrefix}-confirm`}>
          {m.accountConfirmPassword}
        </label>
        <input
          class="gh-input"
          id={`${idPrefix}-confirm`}
          name="password_confirm"
          type="password"
          autocomplete="new-password"
          required
          maxLength={limits.maxLength}
          aria-invalid={invalid}
        />
      </div>
    </>
  );
}
