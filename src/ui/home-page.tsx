import { Fragment, type VNode } from 'preact';
import { AppLinks, type HomeAppLink } from './app-links.js';
import { CibaRequests, type HomeCibaRequestView } from './ciba-requests-section.js';
import { CsrfField } from './components.js';
import { t } from './i18n.js';
import { Layout, renderDocument, type PageBaseProps } from './layout.js';

/** The signed-in user as shown on the home page. */
export interface HomeUserView {
  name: string;
  username: string;
  subjectId: string;
  /** Claims as [name, display value] pairs, already stringified. */
  claims: [string, string][];
}

/** An application holding consent or tokens for the user. */
export interface HomeGrantView {
  clientId: string;
  name: string;
}

/** Props of the built-in home page. */
export interface HomePageProps extends PageBaseProps {
  user?: HomeUserView;
  /** Form POST URL that ends the session. */
  signOutAction: string;
  csrfToken: string;
  /** Applications the user granted access (consent or tokens); each can be revoked. */
  grants?: HomeGrantView[];
  /** Form POST URL that revokes one application's access (field client_id). */
  revokeAction?: string;
  /** Applications with a login initiation endpoint (OIDC Core §4), linked for the signed-in user. */
  apps?: HomeAppLink[];
  /** CIBA requests waiting for the user's decision, and the form POST URL of a decision. */
  cibaRequests?: HomeCibaRequestView[];
  cibaDecisionAction?: string;
  /** The account page (password, sessions, applications), linked when it is on. */
  accountUrl?: string;
}

function Grants(props: { grants: HomeGrantView[]; revokeAction: string; csrfToken: string } & Pick<HomePageProps, 'locale'>): VNode {
  const m = t(props.locale);
  return (
    <section aria-labelledby="apps-heading">
      <h2 id="apps-heading">{m.homeApps}</h2>
      {props.grants.length === 0 ? (
        <p class="gh-muted gh-small">{m.homeNoApps}</p>
      ) : (
        <dl class="gh-claims">
          {props.grants.map((g) => (
            <Fragment key={g.clientId}>
              <dt>{g.name}</dt>
              <dd>
                <form method="post" action={props.revokeAction}>
                  <CsrfField token={props.csrfToken} />
                  <input type="hidden" name="client_id" value={g.clientId} />
                  <button class="gh-button gh-button-secondary" type="submit" aria-label={m.revokeAccessFor(g.name)}>
                    {m.revokeAccess}
                  </button>
                </form>
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
    </section>
  );
}

function SignedIn(
  props: { user: HomeUserView; signOutAction: string; csrfToken: string } & Pick<
    HomePageProps,
    'locale' | 'grants' | 'revokeAction' | 'apps' | 'cibaRequests' | 'cibaDecisionAction' | 'accountUrl'
  >,
): VNode {
  const m = t(props.locale);
  const { user } = props;
  return (
    <>
      <div class="gh-header">
        <h1>{m.homeTitle}</h1>
        <p class="gh-muted">{m.homeSignedInAs(user.name)}</p>
      </div>
      {props.cibaRequests && props.cibaDecisionAction && (
        <CibaRequests requests={props.cibaRequests} action={props.cibaDecisionAction} csrfToken={props.csrfToken} locale={props.locale} />
      )}
      <dl class="gh-claims">
        <dt>{m.homeUsername}</dt>
        <dd>{user.username}</dd>
        <dt>{m.homeSubject}</dt>
        <dd class="gh-code">{user.subjectId}</dd>
      </dl>
      <section aria-labelledby="claims-heading">
        <h2 id="claims-heading">{m.homeClaims}</h2>
        {user.claims.length === 0 ? (
          <p class="gh-muted gh-small">{m.homeNoClaims}</p>
        ) : (
          <dl class="gh-claims">
            {user.claims.map(([name, value]) => (
              <Fragment key={name}>
                <dt class="gh-code">{name}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        )}
      </section>
      {props.apps && props.apps.length > 0 && <AppLinks apps={props.apps} locale={props.locale} />}
      {props.grants && props.revokeAction && (
        <Grants grants={props.grants} revokeAction={props.revokeAction} csrfToken={props.csrfToken} locale={props.locale} />
      )}
      {props.accountUrl && (
        <p>
          <a href={props.accountUrl}>{m.accountNav}</a>
        </p>
      )}
      <form method="post" action={props.signOutAction}>
        <CsrfField token={props.csrfToken} />
        <button class="gh-button gh-button-secondary" type="submit">
          {m.signOut}
        </button>
      </form>
    </>
  );
}

/** The home card body: who you are and a sign-out form, or a short product description. */
export function HomePage(props: HomePageProps): VNode {
  const m = t(props.locale);
  const title = props.user ? m.homeTitle : m.homeNotSignedIn;
  return (
    <Layout locale={props.locale} theme={props.theme} basePath={props.basePath} title={title}>
      {props.user ? (
        <SignedIn
          user={props.user}
          signOutAction={props.signOutAction}
          csrfToken={props.csrfToken}
          locale={props.locale}
          grants={props.grants}
          revokeAction={props.revokeAction}
          apps={props.apps}
          cibaRequests={props.cibaRequests}
          cibaDecisionAction={props.cibaDecisionAction}
          accountUrl={props.accountUrl}
        />
      ) : (
        <div class="gh-header">
          <h1>{m.homeNotSignedIn}</h1>
          <p class="gh-muted">{m.homeDescription(props.theme.productName)}</p>
        </div>
      )}
    </Layout>
  );
}

/**
 * Render the home page as a full HTML document.
 *
 * @example
 * renderHomePage({ locale: 'en', theme, basePath: '/ui', signOutAction: '/ui/logout', csrfToken,
 *   user: { name: 'Alice', username: 'alice', subjectId: '1', claims: [['email', 'alice@example.com']] } });
 */
export function renderHomePage(props: HomePageProps): string {
  return renderDocument(<HomePage {...props} />);
}
