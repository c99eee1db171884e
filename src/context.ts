/** Everything a request handler needs, hanging off one provider instance (no module state). */
import type { MfaService } from './mfa/mfa-service.js';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { Backend } from './stores/types.js';
import type { TypedStores } from './stores/typed/index.js';
import type { Client, Clock, KeyManager, Resources, UserService } from './model/types.js';
import type { EmitEvent } from './events/types.js';
import type { InternalRequest, InternalResponse } from './core/types.js';
import type { ParameterSpec } from './core/parameters.js';
import type { VerifiedJwtCache } from './tokens/verified-jwt-cache.js';
import type { BackgroundTasks } from './tasks/background-tasks.js';
import type { RateLimiter } from './ratelimit/rate-limiter.js';
import type { AuthenticatedClient } from './client-auth/authenticate-client.js';
import type { ProviderExtensions } from './extensions/index.js';
import type { ClientJwksCache } from './client-auth/client-jwks-cache.js';
import type { DpopContext } from './proof/dpop-context.js';
import type { Federation } from './federation/federation-service.js';

/** A grant type handler, registered by name (`registerGrant`). */
export interface GrantHandler {
  grantType: string;
  /**
   * Parameters this grant reads from the token request body (besides
   * grant_type and client auth): a name, or a name with its rule (`repeated`,
   * `maxLength` above `server.parameterLimit`, `required`), checked before
   * any handler runs (core/parameters.ts).
   *
   * @example
   * parameters: ['scope', { name: 'audience', repeated: true }, { name: 'subject_token', maxLength: 16384, required: true }]
   */
  parameters: readonly ParameterSpec[];
  /**
   * Only a confidential client that authenticated with credentials may use
   * this grant (RFC 6749 §4.4 client_credentials; token exchange and the
   * like declare it too). The token endpoint answers `invalid_client` before
   * `handle` runs when the client used `none` or is public (RFC 6749 §5.2:
   * "no client authentication included").
   */
  requiresConfidentialClient?: boolean;
  /** `auth` says how the client authenticated (`auth.method`, e.g. `private_key_jwt` or `none`). */
  handle(req: InternalRequest, client: Client, ctx: ProviderContext, auth: AuthenticatedClient): Promise<InternalResponse>;
}

/** Endpoints at which a client authenticates; used for assertion audiences. */
export type AuthEndpoint = 'token' | 'introspection' | 'revocation' | 'backchannelAuthentication';

/** A token_endpoint_auth_method, registered by name. */
export interface ClientAuthMethod {
  name: string;
  /** Does the request present credentials of this method? (Presence only; no verification.) */
  presented(req: InternalRequest): boolean;
  /** The client_id the presented credentials claim. */
  clientId(req: InternalRequest): string | undefined;
  /** Verifies the credentials for the client; throws InvalidClient. */
  verify(req: InternalRequest, client: Client, ctx: ProviderContext, endpoint: AuthEndpoint): Promise<void>;
}

export interface ClientRegistry {
  /** An enabled client, synchronously: configured clients, or a host store's as cached. */
  find(clientId: string): Client | undefined;
  all(): readonly Client[];
  /** With a host client store: the enabled client, fresh from the store's cache (extensions/client-store.ts). */
  load?(clientId: string): Promise<Client | undefined>;
}

export interface ProviderContext {
  config: Config;
  /** The issuer identifier, without trailing slash. */
  issuer: string;
  clock: Clock;
  logger: Logger;
  clients: ClientRegistry;
  resources: Resources;
  backend: Backend;
  /** Typed stores per artifact over `backend.records` (stores/typed/). */
  stores: TypedStores;
  keys: KeyManager;
  users: UserService;
  grants: Map<string, GrantHandler>;
  clientAuthMethods: Map<string, ClientAuthMethod>;
  /** Emits an event: `ctx.events({ type: 'token_issued', clientId, grantType })` (events/types.ts). */
  events: EmitEvent;
  /** Rate limits (login form per IP and username); undefined when `rateLimits.enabled` is false. */
  rateLimits?: RateLimiter;
  /** Absolute endpoint URLs, built from the issuer. */
  endpoints: EndpointUrls;
  /** JWT access tokens whose signature was already verified (tokens/verified-jwt-cache.ts). */
  verifiedJwts: VerifiedJwtCache;
  /** Work not awaited by the request that started it (back-channel logout). */
  background: BackgroundTasks;
  /** The host's services: profile, validators, redirect URIs (extensions/index.ts). */
  extensions: ProviderExtensions;
  /** Multi-factor sign-in (src/mfa/); absent when `mfa.enabled` is false or no store keeps MFA data. */
  mfa?: MfaService;
  /** Clients' JWK Sets (inline or jwksUri, cached): private_key_jwt and encrypted responses share it. */
  clientJwks?: ClientJwksCache;
  /** DPoP (RFC 9449): policy, replay store and nonces (proof/dpop-context.ts); absent in a hand-built context: proofs are not accepted. */
  dpop?: DpopContext;
  /** External identity providers (federation/); set by createGatehouse. */
  federation?: Federation;
}

export interface EndpointUrls {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  introspection: string;
  revocation: string;
  endSession: string;
  checkSession: string;
  /** CIBA Core §4 backchannel_authentication_endpoint. */
  backchannelAuthentication: string;
  /** RFC 8628 §3.1 device authorization endpoint. */
  deviceAuthorization: string;
}
