/**
 * The policy a registration (or a Client ID Metadata Document) is checked
 * against, from the configuration and what the server has (grants, scopes, keys).
 */
import type { ProviderContext } from '../context.js';
import type { RegistrationRules } from './build-client.js';
import { redirectUriPolicy } from './redirect-uri-policy.js';

type RulesContext = Pick<ProviderContext, 'config' | 'grants' | 'resources'>;

function knownScopes(ctx: RulesContext): Set<string> {
  return new Set([...ctx.resources.identity.keys(), ...ctx.resources.apiScopes.keys()]);
}

/** Rules of the registration endpoint (`registration`). */
export function registrationRules(ctx: RulesContext): RegistrationRules {
  const r = ctx.config.registration;
  return {
    allowedGrantTypes: new Set(r.allowedGrantTypes),
    knownGrantTypes: new Set(ctx.grants.keys()),
    allowedScopes: r.allowedScopes,
    knownScopes: knownScopes(ctx),
    allowedAuthMethods: new Set(r.allowedAuthMethods),
    signingAlgorithms: new Set(ctx.config.keys.algorithms),
    redirectUris: redirectUriPolicy(r),
    requireConsent: r.requireConsent,
  };
}

/**
 * Rules of Client ID Metadata Documents: interactive public clients or
 * private_key_jwt ones (no shared secret can exist, draft §4.1), the
 * documents' own scope list, the default redirect URI rules, consent always.
 */
export function metadataDocumentRules(ctx: RulesContext): RegistrationRules {
  const d = ctx.config.clientIdMetadataDocuments;
  return {
    allowedGrantTypes: new Set(['authorization_code', 'refresh_token']),
    knownGrantTypes: new Set(ctx.grants.keys()),
    allowedScopes: d.allowedScopes,
    knownScopes: knownScopes(ctx),
    allowedAuthMethods: new Set(['none', 'private_key_jwt']),
    signingAlgorithms: new Set(ctx.config.keys.algorithms),
    redirectUris: redirectUriPolicy({ redirectUriPatterns: [], anonymousRedirectUriHosts: [] }),
    requireConsent: true,
  };
}
