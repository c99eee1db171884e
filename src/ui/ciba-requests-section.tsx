/** The home page's "pending requests" section: CIBA requests waiting for the signed-in user (CIBA Core 1.0 §8, §9). */
import { type VNode } from 'preact';
import { CsrfField } from './components.js';
import { t, type Locale } from './i18n.js';

/** A pending backchannel authentication request as the home page shows it. */
export interface HomeCibaRequestView {
  /** The request's id for the decision form (not the auth_req_id). */
  id: string;
  clientName: string;
  scopes: string[];
  bindingMessage?: string;
}

export interface CibaRequestsProps {
  requests: HomeCibaRequestView[];
  /** Form POST URL of a decision (fields id, decision=approve|deny). */
  action: string;
  csrfToken: string;
  locale: Locale;
}

export function CibaRequests(props: CibaRequestsProps): VNode | null {
  if (props.requests.length === 0) return null;
  const m = t(props.locale);
  return (
    <section aria-labelledby="ciba-heading">
      <h2 id="ciba-heading">{m.cibaPending}</h2>
      {props.requests.map((r) => (
        <form method="post" action={props.action} key={r.id} class="gh-ciba-request">
          <p>{m.cibaRequestFrom(r.clientName)}</p>
          <dl class="gh-claims">
            {r.bindingMessage !== undefined && (
              <>
                <dt>{m.cibaBindingMessage}</dt>
                <dd class="gh-code">{r.bindingMessage}</dd>
              </>
            )}
            <dt>{m.cibaScopes}</dt>
            <dd>{r.scopes.join(' ')}</dd>
          </dl>
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="id" value={r.id} />
          <button class="gh-button" type="submit" name="decision" value="approve">
            {m.cibaApprove}
          </button>{' '}
          <button class="gh-button gh-button-secondary" type="submit" name="decision" value="deny">
            {m.cibaDeny}
          </button>
        </form>
      ))}
    </section>
  );
}
