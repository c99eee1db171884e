import type { VNode } from 'preact';
import { t, type Locale } from './i18n.js';

/** An application the user can start from here (a client with a login initiation endpoint, OIDC Core §4). */
export interface HomeAppLink {
  clientId: string;
  name: string;
  /** Gatehouse's initiate-login URL for the client; it redirects to the client's initiate_login_uri with iss. */
  href: string;
}

/** The list of applications to open: each link starts a third-party initiated login at the client. */
export function AppLinks(props: { apps: HomeAppLink[]; locale: Locale }): VNode {
  const m = t(props.locale);
  return (
    <section aria-labelledby="launch-heading">
      <h2 id="launch-heading">{m.homeLaunchApps}</h2>
      <ul>
        {props.apps.map((a) => (
          <li key={a.clientId}>
            <a href={a.href}>{a.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}
