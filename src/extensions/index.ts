/**
 * IdentityServer's extension points in TypeScript shapes: what a host passes
 * to `createGatehouse(config, { ... })` to bring its own users, claims,
 * grants, validators, clients and resources (docs/extending.md).
 */
import type { CibaNotifier, CibaUserResolver } from './ciba.js';
import type { ClientStore, CacheOptions } from './client-store.js';
import type { CustomAuthorizeRequestValidator } from './authorize-request-validator.js';
import type { ExtensionGrantValidator } from './extension-grant.js';
import type { ResourceOwnerPasswordValidator } from './password-validator.js';
import { defaultProfileService, type ProfileService } from './profile-service.js';
import { defaultRedirectUriValidator, type RedirectUriValidator } from './redirect-uri-validator.js';
import type { ResourceStore } from './resource-store.js';
import type { CustomTokenRequestValidator } from './token-request-validator.js';
import type { UserStore } from './user-store.js';
import type { SubjectTokenValidator } from './subject-token-validator.js';

/** The extension options of `createGatehouse` (all optional; the defaults are today's behaviour). */
export interface ExtensionOptions {
  /** The host's users; default the configured test users and the SQL user table. */
  userStore?: UserStore;
  /** Claims and activity of users; default the user store's claims by scope and its isActive. */
  profileService?: ProfileService;
  /** Custom grant types: validated by the host, issued by Gatehouse's token service. */
  extensionGrants?: ExtensionGrantValidator[];
  /** The password grant's validator (grants/password-grant.ts); default the user store's login. */
  resourceOwnerPasswordValidator?: ResourceOwnerPasswordValidator;
  /** Runs after the built-in validation of every token request. */
  tokenRequestValidator?: CustomTokenRequestValidator;
  /** Runs after the built-in checks of every authorization request. */
  authorizeRequestValidator?: CustomAuthorizeRequestValidator;
  /** Clients beyond the configuration's (a host database), cached per `storeCache`. */
  clientStore?: ClientStore;
  /** Resources beyond the configuration's, cached per `storeCache`. */
  resourceStore?: ResourceStore;
  /** TTL and size of the client and resource store caches. */
  storeCache?: CacheOptions;
  /** Redirect URI rules; default exact matching plus loopback ports. */
  redirectUriValidator?: RedirectUriValidator;
  /** CIBA: tells the user of a new backchannel authentication request; default a log line (docs/ciba.md). */
  cibaNotifier?: CibaNotifier;
  /** CIBA: login_hint / login_hint_token to a user, user_code checks; default usernames as login_hint. */
  cibaUserResolver?: CibaUserResolver;
  /** Validates subject and actor tokens Gatehouse did not issue, for token exchange (RFC 8693). */
  subjectTokenValidator?: SubjectTokenValidator;
}

/** The services request handlers call, on the provider context. */
export interface ProviderExtensions {
  profile: ProfileService;
  redirectUris: RedirectUriValidator;
  passwordValidator?: ResourceOwnerPasswordValidator;
  tokenRequestValidator?: CustomTokenRequestValidator;
  authorizeRequestValidator?: CustomAuthorizeRequestValidator;
  cibaNotifier?: CibaNotifier;
  cibaUserResolver?: CibaUserResolver;
  subjectTokenValidator?: SubjectTokenValidator;
}

/** The extensions of one provider, with defaults filled in. */
export function resolveExtensions(options: ExtensionOptions): ProviderExtensions {
  return {
    profile: options.profileService ?? defaultProfileService,
    redirectUris: options.redirectUriValidator ?? defaultRedirectUriValidator,
    passwordValidator: options.resourceOwnerPasswordValidator,
    tokenRequestValidator: options.tokenRequestValidator,
    authorizeRequestValidator: options.authorizeRequestValidator,
    cibaNotifier: options.cibaNotifier,
    cibaUserResolver: options.cibaUserResolver,
    subjectTokenValidator: options.subjectTokenValidator,
  };
}

export type { UserStore } from './user-store.js';
export {
  defaultProfileService,
  type ProfileService,
  type ProfileDataRequest,
  type IsActiveRequest,
  type ProfileCaller,
  type IsActiveCaller,
} from './profile-service.js';
export { extensionGrant, type ExtensionGrantValidator, type ExtensionGrantContext, type ExtensionGrantResult } from './extension-grant.js';
export { issueTokens, type TokenIssueRequest, type TokenResponseBody } from './token-service.js';
export type { CustomTokenRequestValidator, TokenRequestContext } from './token-request-validator.js';
export type { CustomAuthorizeRequestValidator, AuthorizeRequestContext } from './authorize-request-validator.js';
export {
  userServicePasswordValidator,
  type ResourceOwnerPasswordValidator,
  type PasswordValidationContext,
  type PasswordValidationResult,
  type PasswordFailureReason,
} from './password-validator.js';
export { defaultRedirectUriValidator, type RedirectUriValidator } from './redirect-uri-validator.js';
export type { CibaNotifier, CibaNotification, CibaUserResolver, LoginHintTokenResult } from './ciba.js';
export { storeClientRegistry, loadClient, type ClientStore, type ClientDefinition, type CacheOptions } from './client-store.js';
export { cachingResourceStore, mergedResources, type ResourceStore, type ResourceDefinitions } from './resource-store.js';
export type { SubjectTokenValidator, ForeignToken, ForeignTokenContext } from './subject-token-validator.js';
