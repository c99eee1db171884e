/**
 * Talking to an upstream provider with openid-client (v6): discovery, the
 * authorization URL (state, nonce, PKCE S256), the code exchange with ID
 * token validation (signature, iss, aud, exp, nonce: OIDC Core §3.1.3.7) and
 * userinfo. Every request goes through src/net (time and size limits) via
 * openid-client's customFetch; providers are operator-configured, so the
 * trusted policy applies (any address, http allowed only for http issuers).
 */
import * as oidc from 'openid-client';

/** http issuers (operator-configured, e.g. an upstream on loopback in development): openid-client refuses them unless told. */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- the documented switch for non-TLS upstreams
const allowHttp: (config: oidc.Configuration) => void = oidc.allowInsecureRequests;
import type { OutboundFetch } from '../net/index.js';
import { appleClientSecret } from './apple-secret.js';
import { primaryVerifiedEmail, type ResolvedProvider } from './presets.js';

/** What a completed upstream sign-in yields. */
export interface UpstreamIdentity {
  /** The upstream issuer (the ID token's `iss`; for OAuth 2.0 providers the configured issuer). */
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
  idToken?: string;
  /** The upstream session id (OIDC Back-Channel Logout `sid`), when the ID token carries one. */
  sid?: string;
}

export interface UpstreamChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** A thrown upstream problem, classified for the page and the metric. */
export class UpstreamFailure extends Error {
  override readonly name = 'UpstreamFailure';
  constructor(
    readonly reason: 'unreachable' | 'upstream_error' | 'invalid_response' | 'invalid_id_token',
    message: string,
    readonly upstreamError?: string,
  ) {
    super(message);
  }
}

const DISCOVERY_TTL_MS = 3600_000;

export class UpstreamClients {
  private readonly cache = new Map<string, { at: number; key: string; config: Promise<oidc.Configuration> }>();

  constructor(
    private readonly fetchOut: OutboundFetch,
    private readonly now: () => number,
  ) {}

  /** openid-client's customFetch: our outbound fetch (limits, SSRF rules), never following redirects. */
  private readonly customFetch: oidc.CustomFetch = (url, options) =>
    this.fetchOut(url, { method: options.method, headers: options.headers, body: options.body as string | undefined, signal: options.signal });

  private clientAuth(p: ResolvedProvider): oidc.ClientAuth {
    const secret = p.config.clientSecret;
    switch (p.config.tokenEndpointAuthMethod) {
      case 'none':
        return oidc.None();
      case 'client_secret_post':
        return oidc.ClientSecretPost(secret);
      default:
        return oidc.ClientSecretBasic(secret);
    }
  }

  private async build(p: ResolvedProvider): Promise<oidc.Configuration> {
    const insecure = p.issuer.startsWith('http:');
    const options = { [oidc.customFetch]: this.customFetch, execute: insecure ? [allowHttp] : [], timeout: 30 };
    let config: oidc.Configuration;
    if (p.protocol === 'oidc' && !p.authorizationEndpoint) {
      config = await oidc.discovery(new URL(p.issuer), p.config.clientId, undefined, this.clientAuth(p), options);
      // The ID token's signature is checked too, although it came over TLS from the token endpoint
      // (OIDC Core §3.1.3.7 step 6 would allow skipping it): a forged token is refused on any transport.
      oidc.enableNonRepudiationChecks(config);
    } else {
      const metadata: oidc.ServerMetadata = {
        issuer: p.issuer,
        authorization_endpoint: p.authorizationEndpoint,
        token_endpoint: p.tokenEndpoint,
        userinfo_endpoint: p.userinfoEndpoint,
      };
      config = new oidc.Configuration(metadata, p.config.clientId, undefined, this.clientAuth(p));
      config[oidc.customFetch] = this.customFetch;
      if (insecure || [p.authorizationEndpoint, p.tokenEndpoint, p.userinfoEndpoint].some((u) => u?.startsWith('http:'))) allowHttp(config);
    }
    return config;
  }

  /** The provider's configuration (discovery cached for an hour; a failed discovery is not cached). */
  async configuration(p: ResolvedProvider): Promise<oidc.Configuration> {
    const key = JSON.stringify(p.config);
    const hit = this.cache.get(p.name);
    if (hit && hit.key === key && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
    const config = this.build(p).catch((err: unknown) => {
      if (this.cache.get(p.name)?.config === config) this.cache.delete(p.name);
      throw classify(err);
    });
    this.cache.set(p.name, { at: Date.now(), key, config });
    return config;
  }

  /** Apple's client secret is a short-lived JWT: a configuration with a fresh one for each token request. */
  private async exchangeConfiguration(p: ResolvedProvider): Promise<oidc.Configuration> {
    const base = await this.configuration(p);
    if (p.type !== 'apple' || !p.config.apple) return base;
    const secret = await appleClientSecret(p.config.apple, p.config.clientId, this.now());
    const config = new oidc.Configuration(base.serverMetadata(), p.config.clientId, undefined, oidc.ClientSecretPost(secret));
    config[oidc.customFetch] = this.customFetch;
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  /** The upstream authorization request (OIDC Core §3.1.2.1; RFC 7636 §4.3). */
  async authorizationUrl(p: ResolvedProvider, redirectUri: string, checks: UpstreamChecks, loginHint?: string): Promise<URL> {
    const config = await this.configuration(p);
    const params: Record<string, string> = { redirect_uri: redirectUri, response_type: 'code', state: checks.state };
    if (p.scopes.length) params.scope = p.scopes.join(' ');
    if (p.protocol === 'oidc') params.nonce = checks.nonce;
    if (p.config.usePkce) {
      params.code_challenge = await oidc.calculatePKCECodeChallenge(checks.codeVerifier);
      params.code_challenge_method = 'S256';
    }
    if (p.responseMode) params.response_mode = p.responseMode;
    if (loginHint) params.login_hint = loginHint;
    return oidc.buildAuthorizationUrl(config, params);
  }

  /**
   * Redeems the code of a callback (`callbackUrl` carries the response
   * parameters, from the query or a form_post body) and reads the person's claims.
   */
  async complete(p: ResolvedProvider, callbackUrl: URL, checks: UpstreamChecks): Promise<UpstreamIdentity> {
    const config = await this.exchangeConfiguration(p);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        expectedState: checks.state,
        expectedNonce: p.protocol === 'oidc' ? checks.nonce : undefined,
        pkceCodeVerifier: p.config.usePkce ? checks.codeVerifier : undefined,
        idTokenExpected: p.protocol === 'oidc',
      });
    } catch (err) {
      throw classify(err);
    }
    if (p.protocol === 'oidc') {
      const idClaims = tokens.claims();
      if (!idClaims) throw new UpstreamFailure('invalid_id_token', 'the upstream answered no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          claims = { ...info, ...idClaims };
        } catch (err) {
          throw classify(err);
        }
      }
      return {
        issuer: idClaims.iss,
        subject: idClaims.sub,
        claims,
        idToken: tokens.id_token,
        sid: typeof idClaims.sid === 'string' ? idClaims.sid : undefined,
      };
    }
    return this.oauth2Identity(p, tokens.access_token);
  }

  /** OAuth 2.0 providers: the userinfo URL's JSON, the subject from `subjectClaim`. */
  private async oauth2Identity(p: ResolvedProvider, accessToken: string): Promise<UpstreamIdentity> {
    const headers = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    const get = async (url: string): Promise<unknown> => {
      let res: Response;
      try {
        res = await this.fetchOut(url, { headers });
      } catch (err) {
        throw classify(err);
      }
      if (res.status !== 200) throw new UpstreamFailure('invalid_response', `${new URL(url).host} answered ${res.status} to the userinfo request`);
      try {
        return await res.json();
      } catch {
        throw new UpstreamFailure('invalid_response', `${new URL(url).host} answered no JSON to the userinfo request`);
      }
    };
    if (!p.userinfoEndpoint) throw new UpstreamFailure('invalid_response', 'no userinfo endpoint is configured');
    const info = await get(p.userinfoEndpoint);
    if (!info || typeof info !== 'object' || Array.isArray(info)) throw new UpstreamFailure('invalid_response', 'the userinfo answer is not a JSON object');
    const claims = { ...(info as Record<string, unknown>) };
    const rawSub = claims[p.subjectClaim];
    if ((typeof rawSub !== 'string' && typeof rawSub !== 'number') || String(rawSub).length === 0) {
      throw new UpstreamFailure('invalid_response', `the userinfo answer has no ${p.subjectClaim}`);
    }
    // GitHub: /user shows only a public email; the primary verified one is in /user/emails.
    if (p.emailsEndpoint) {
      const email = primaryVerifiedEmail(await get(p.emailsEndpoint).catch(() => undefined));
      if (email) Object.assign(claims, { email, email_verified: true });
      else if ('email' in claims) claims.email_verified = false;
    }
    return { issuer: p.issuer, subject: String(rawSub), claims };
  }

  /** The upstream's end_session_endpoint URL (RP-Initiated Logout 1.0 §2), when it advertises one. */
  async endSessionUrl(p: ResolvedProvider, params: { idTokenHint?: string; postLogoutRedirectUri: string; state: string }): Promise<URL | undefined> {
    if (p.protocol !== 'oidc') return undefined;
    let config: oidc.Configuration;
    try {
      config = await this.configuration(p);
    } catch {
      return undefined; // Unreachable upstream: the local sign-out still completes.
    }
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    const q: Record<string, string> = { post_logout_redirect_uri: params.postLogoutRedirectUri, state: params.state, client_id: p.config.clientId };
    if (params.idTokenHint) q.id_token_hint = params.idTokenHint;
    return oidc.buildEndSessionUrl(config, q);
  }
}

/** openid-client's and the network's errors as an UpstreamFailure (message without secrets). */
export function classify(err: unknown): UpstreamFailure {
  if (err instanceof UpstreamFailure) return err;
  if (err instanceof oidc.AuthorizationResponseError) {
    return new UpstreamFailure('upstream_error', err.error_description ?? err.error, err.error);
  }
  if (err instanceof oidc.ResponseBodyError) {
    return new UpstreamFailure('upstream_error', err.error_description ?? err.error, err.error);
  }
  const e = err as { name?: string; code?: string; message?: string; cause?: unknown };
  if (e?.name === 'OutboundError' || e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'OAUTH_TIMEOUT') {
    return new UpstreamFailure('unreachable', e.message ?? 'the upstream provider did not answer');
  }
  const cause = e?.cause as { name?: string; message?: string } | undefined;
  if (cause?.name === 'OutboundError') return new UpstreamFailure('unreachable', cause.message ?? 'the upstream provider did not answer');
  // openid-client wraps oauth4webapi's finding ("JWT signature verification failed") as an invalid response.
  if (typeof cause?.message === 'string' && /signature|nonce|"iss"|ID Token|JWT/i.test(cause.message))
    return new UpstreamFailure('invalid_id_token', cause.message);
  if (typeof e?.code === 'string' && /JWT|JWS|CLAIM|SIGNATURE/.test(e.code))
    return new UpstreamFailure('invalid_id_token', e.message ?? 'the ID token is invalid');
  if (typeof e?.message === 'string' && /nonce|"iss"|signature|ID Token|JWT/i.test(e.message)) return new UpstreamFailure('invalid_id_token', e.message);
  return new UpstreamFailure('invalid_response', typeof e?.message === 'string' ? e.message : 'the upstream answer is invalid');
}
