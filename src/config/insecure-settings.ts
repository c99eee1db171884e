/**
 * Warnings for settings that are legal but insecure or ineffective. Each
 * warning's path names the setting; startup logs them and carries on.
 */
import type { ConfigWarning } from './config-error.js';
import { formatPath } from './config-error.js';
import type { ClientConfig, Config } from './schema.js';

/** Loopback hosts (RFC 8252 §7.3, §8.3): http is acceptable there. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** http on a host other than loopback. Custom schemes (`com.example.app:/cb`) are not flagged. */
function isHttpOffLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && !isLoopbackHost(u.hostname);
  } catch {
    return false;
  }
}

/** Every insecure-but-legal setting in a parsed configuration. */
export function insecureSettings(config: Config): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const warn = (path: PropertyKey[], message: string) => warnings.push({ path: formatPath(path), message });

  if (config.server.issuer && isHttpOffLoopback(config.server.issuer)) {
    warn(['server', 'issuer'], 'issuer uses http off loopback; OpenID Connect Discovery §3 requires https');
  }
  if (config.keys.keyEncryptionKey !== undefined) {
    warn(['keys', 'keyEncryptionKey'], 'key-encryption key is inline in the configuration; prefer keyEncryptionKeyFile');
  }
  // draft-ietf-oauth-rfc7523bis: endpoint URLs as assertion audience are what audience injection exploits.
  const endpointAudience =
    'accepts endpoint URLs as client assertion aud (audience injection, draft-ietf-oauth-rfc7523bis); for clients that cannot send the issuer yet';
  if (config.clientAuthentication.acceptEndpointAudience) warn(['clientAuthentication', 'acceptEndpointAudience'], endpointAudience);
  config.clients.forEach((c, i) => {
    if (c.acceptEndpointAudience) warn(['clients', i, 'acceptEndpointAudience'], endpointAudience);
  });
  // RFC 7591 §5: open registration lets anyone create clients; without a host limit, with any redirect URI.
  const r = config.registration;
  if (r.enabled && r.initialAccessToken === 'optional' && r.anonymousRedirectUriHosts.length === 0) {
    warn(
      ['registration', 'anonymousRedirectUriHosts'],
      'anonymous client registration is open to any redirect URI host; limit it or require initial access tokens',
    );
  }
  config.clients.forEach((c, i) => clientWarnings(c, ['clients', i], warn));
  config.apiResources.forEach((r, i) =>
    r.apiSecrets.forEach((s, k) => {
      if (s.type === 'SymmetricKey') warn(['apiResources', i, 'apiSecrets', k, 'type'], 'SymmetricKey secret is stored in plain text');
    }),
  );
  deviceFlowWarnings(config, warn);
  // RFC 9101 §10.4.1: a request_uri by reference makes the server fetch URLs any browser hands it.
  if (config.requestObjects.fetchByReference) {
    warn(
      ['requestObjects', 'fetchByReference'],
      'the server fetches request_uri URLs a browser sends (RFC 9101 §10.4.1); prefer pushed authorization requests',
    );
  }
  config.externalProviders.forEach((p, i) => {
    for (const key of ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const) {
      const uri = p[key];
      if (uri && isHttpOffLoopback(uri))
        warn(['externalProviders', i, key], 'external provider URL uses http off loopback: codes, tokens and its client secret travel unencrypted');
    }
    if (!p.usePkce) warn(['externalProviders', i, 'usePkce'], 'external provider without PKCE (RFC 9700 §2.1.1 recommends it for every client)');
  });
  config.users.forEach((u, i) => {
    if (u.password !== undefined) warn(['users', i, 'password'], 'test user with a plain-text password; use passwordHash outside development');
  });
  return warnings;
}

/** RFC 8628 §5.1: user codes are short, so guesses must be limited and the code space large, when a client has the device grant. */
function deviceFlowWarnings(config: Config, warn: (path: PropertyKey[], message: string) => void): void {
  if (!config.clients.some((c) => c.allowedGrantTypes.includes('urn:ietf:params:oauth:grant-type:device_code'))) return;
  const d = config.deviceFlow;
  if (d.verificationPerIp === 0 || !config.rateLimits.enabled) {
    warn(['deviceFlow', 'verificationPerIp'], 'user code guesses on the device verification page are not rate limited (RFC 8628 §5.1)');
  }
  if (d.userCodeAlphabet.length ** d.userCodeLength < 1e9) {
    warn(['deviceFlow', 'userCodeLength'], 'fewer than 10^9 possible user codes make guessing one practical (RFC 8628 §5.1); use more characters');
  }
}

function clientWarnings(c: ClientConfig, at: PropertyKey[], warn: (path: PropertyKey[], message: string) => void): void {
  c.allowedGrantTypes.forEach((g, j) => {
    // RFC 9700 §2.1.2 and §2.4
    if (g === 'implicit') warn([...at, 'allowedGrantTypes', j], 'implicit grant is insecure (RFC 9700 §2.1.2); use authorization_code with PKCE');
    if (g === 'password') warn([...at, 'allowedGrantTypes', j], 'password grant exposes user credentials to the client (RFC 9700 §2.4)');
  });
  // CIBA §10.2: the ping carries the client_notification_token as a bearer credential.
  if (c.backchannelClientNotificationEndpoint && isHttpOffLoopback(c.backchannelClientNotificationEndpoint)) {
    warn([...at, 'backchannelClientNotificationEndpoint'], 'CIBA notification endpoint uses http off loopback: the bearer token travels in clear');
  }
  // Hybrid with tokens in the front channel: an access token in a URL fragment or an auto-posted form (RFC 9700 §2.1.2).
  if (c.allowAccessTokensViaBrowser && c.allowedGrantTypes.includes('hybrid')) {
    warn(
      [...at, 'allowAccessTokensViaBrowser'],
      'hybrid response types with access tokens through the browser (code token, code id_token token) expose them in the front channel (RFC 9700 §2.1.2); prefer code id_token or code',
    );
  }
  // RFC 8693 §5: a client that may exchange tokens meant for any API can turn every token it sees into its own.
  if (c.tokenExchange?.subjectTokenAudiences.includes('*')) {
    warn([...at, 'tokenExchange', 'subjectTokenAudiences'], 'the client may exchange access tokens of any audience (RFC 8693 §5); list the APIs it serves');
  }
  if (c.allowPlainTextPkce) warn([...at, 'allowPlainTextPkce'], 'allowPlainTextPkce permits the plain PKCE method; use S256 (RFC 7636 §4.2)');
  if (!c.requirePkce && (c.allowedGrantTypes.includes('authorization_code') || c.allowedGrantTypes.includes('hybrid'))) {
    warn([...at, 'requirePkce'], 'requirePkce is false on an authorization_code client; PKCE prevents code injection (RFC 9700 §2.1.1)');
  }
  for (const key of ['redirectUris', 'postLogoutRedirectUris'] as const) {
    c[key].forEach((uri, j) => {
      if (isHttpOffLoopback(uri)) warn([...at, key, j], 'http URI off loopback; use https (RFC 9700 §4.1)');
    });
  }
  c.clientSecrets.forEach((s, k) => {
    if (s.type === 'SymmetricKey') warn([...at, 'clientSecrets', k, 'type'], 'SymmetricKey secret is stored in plain text (needed for client_secret_jwt)');
  });
  if (c.allowedScopes.includes('offline_access') && !c.allowOfflineAccess) {
    warn([...at, 'allowOfflineAccess'], 'offline_access is in allowedScopes but allowOfflineAccess is false: no refresh tokens are issued');
  }
  if (c.allowOfflineAccess && !c.allowedGrantTypes.includes('refresh_token')) {
    warn([...at, 'allowOfflineAccess'], 'allowOfflineAccess has no effect without the refresh_token grant in allowedGrantTypes');
  }
  const usesTokenEndpoint = c.allowedGrantTypes.some((g) => g !== 'implicit');
  const hasCredentials = c.clientSecrets.length > 0 || c.jwks !== undefined || c.jwksUri !== undefined;
  if (c.requireClientSecret && usesTokenEndpoint && !hasCredentials && !c.tokenEndpointAuthMethods) {
    warn([...at, 'clientSecrets'], 'confidential client without secrets or keys cannot authenticate at the token endpoint');
  }
}
