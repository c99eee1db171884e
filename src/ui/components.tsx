import type { VNode } from 'preact';
import { t, type Locale } from './i18n.js';
import { safeUrl } from './layout.js';

/** The client as shown to the user (from client config: clientName, logoUri, clientUri). */
export interface ClientView {
  name: string;
  logoUri?: string;
  clientUri?: string;
}

/** The hidden CSRF field every built-in form carries (name `csrf`). */
export function CsrfField(props: { token: string }): VNode {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** Client logo (only http(s) or same-origin URLs), with translated alt text. */
export function ClientLogo(props: { client: ClientView; locale: Locale }): VNode | null {
  const src = safeUrl(props.client.logoUri);
  if (!src) return null;
  return <img class="gh-client-logo" src={src} alt={t(props.locale).clientLogoAlt(props.client.name)} />;
}

/** The client's name, linked to its clientUri when that is a safe URL. */
export function ClientName(props: { client: ClientView }): VNode {
  const href = safeUrl(props.client.clientUri);
  if (!href) return <strong>{props.client.name}</strong>;
  return (
    <a href={href} rel="noopener noreferrer" target="_blank">
      <strong>{props.client.name}</strong>
    </a>
  );
}

/** An error message announced to assistive technology; inputs point at `id` with aria-describedby. */
export function Alert(props: { id: string; message: string }): VNode {
  return (
    <div class="gh-alert" role="alert" id={props.id}>
      {props.message}
    </div>
  );
}
