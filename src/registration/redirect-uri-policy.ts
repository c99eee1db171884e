/**
 * Which redirect URIs a registration may use (RFC 7591 §2, §5; RFC 8252 §7;
 * RFC 9700 §4.1): the configured patterns, else https anywhere and http on
 * loopback hosts only; an anonymous registration's URIs all on the hosts of
 * `registration.anonymousRedirectUriHosts`.
 */
import type { RegistrationConfig } from '../config/registration-schema.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `*` matches one host label or path segment part (no `.`, `/`, `:`, `@`, `?`, `#`); everything else is literal. */
function patternRegex(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^./:@?#]*');
  return new RegExp(`^${body}$`);
}

/** Compiled once per configuration. */
export interface RedirectUriPolicy {
  /** Why `uri` is refused; undefined when allowed. */
  problem(uri: string, anonymous: boolean): string | undefined;
}

/**
 * @example redirectUriPolicy(config.registration).problem('http://app.example/cb', false) // 'http redirect URIs must be on a loopback host'
 */
export function redirectUriPolicy(settings: Pick<RegistrationConfig, 'redirectUriPatterns' | 'anonymousRedirectUriHosts'>): RedirectUriPolicy {
  const patterns = settings.redirectUriPatterns.map(patternRegex);
  const anonymousHosts = new Set(settings.anonymousRedirectUriHosts.map((h) => h.toLowerCase()));
  return {
    problem(uri, anonymous) {
      let url: URL;
      try {
        url = new URL(uri);
      } catch {
        return 'must be an absolute URI';
      }
      if (url.username || url.password) return 'must not contain user information';
      const web = url.protocol === 'https:' || url.protocol === 'http:';
      if (anonymous && anonymousHosts.size > 0 && (!web || !anonymousHosts.has(url.hostname.toLowerCase()))) {
        return `anonymous registrations may only use redirect URIs on ${[...anonymousHosts].join(', ')}`;
      }
      if (patterns.length > 0) return patterns.some((p) => p.test(uri)) ? undefined : 'is outside the allowed redirect URI patterns';
      if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return 'http redirect URIs must be on a loopback host (RFC 8252 §7.3)';
      // RFC 8252 §7.1: private-use schemes are reverse domain names (com.example.app:/cb).
      if (!web && !/^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol)) return 'must use https, http on loopback, or a private-use scheme (RFC 8252 §7.1)';
      return undefined;
    },
  };
}
