/**
 * `createGatehouse(config)`: one provider instance with a node:http handler
 * and a fetch handler. Everything hangs off the instance; no module state.
 */
import type { Logger } from 'pino';
import { createClientAuthMethods } from './client-auth/client-auth-methods.js';
import { createClientJwksCache } from './client-auth/client-jwks-cache.js';
import { compileClients, compileResources } from './config/compile.js';
import { configWithDatabase, watchDatabaseConfig } from './config/database-config.js';
import { parseConfig } from './config/load.js';
import { checkSectorIdentifiers } from './config/sector-identifiers.js';
import type { Config, ConfigInput } from './config/schema.js';
import type { ClientAuthMethod, ClientRegistry, EndpointUrls, GrantHandler, ProviderContext } from './context.js';
import { builtInGrants } from './grants/index.js';
import { Dispatcher } from './core/dispatcher.js';
import { createFetchHandler, type PeerAddress } from './http/fetch-adapter.js';
import { createClientAddressResolver } from './http/client-address.js';
import { createNodeHandler, type NodeHandler } from './http/node-adapter.js';
import { createClientCertificateResolver } from './http/client-certificate.js';
import type { InteractionApi, InteractionOptions } from './interaction/index.js';
import { createKeyManager, loadKeyEncryptionKey } from './keys/index.js';
import { createDpopContext } from './proof/dpop-context.js';
import { systemClock, type Clock, type EventSink } from './model/types.js';
import { buildRoutes, interactiveParts, PATHS } from './routes.js';
import { openBackend } from './stores/open-backend.js';
import { createTypedStores } from './stores/typed/index.js';
import type { Backend } from './stores/types.js';
import { createMfaService } from './mfa/mfa-service.js';
import { createUserService } from './users/user-service.js';
import { createVerifiedJwtCache } from './tokens/verified-jwt-cache.js';
import { createBackgroundTasks } from './tasks/background-tasks.js';
import { createSessionManagement, type SessionManagement } from './sessions/session-management.js';
import { endExpiredSessions } from './sessions/session-admin.js';
import { drainLogoutOutbox } from './sessions/logout-outbox.js';
import { drainPingOutbox } from './ciba/ping-notification.js';
import { MemoryOutbox } from './stores/memory-outbox.js';
import { createEventBus, type EventBus } from './events/event-bus.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createTracing } from './observability/tracing.js';
import { instrumentBackend } from './observability/instrument-backend.js';
import { createRequestObserver } from './observability/request-observer.js';
import { operationalRoutes } from './observability/operational-routes.js';
import type { HealthState } from './observability/health.js';
import { createRateLimiter } from './ratelimit/rate-limiter.js';
import { testApiRoutes } from './resource-server/test-api-route.js';
import { withTestApiResource } from './resource-server/test-api-resource.js';
import { adminRoutes } from './admin/admin-routes.js';
import { withAdminResource } from './admin/admin-resource.js';
import { resolveExtensions, type ExtensionOptions } from './extensions/index.js';
import { extensionGrant } from './extensions/extension-grant.js';
import { storeClientRegistry } from './extensions/client-store.js';
import { dynamicClientRegistry } from './registration/dynamic-client-registry.js';
import { metadataDocumentResolver } from './registration/metadata-document.js';
import { metadataDocumentRules } from './registration/registration-rules.js';
import { registeredClientStore } from './stores/typed/registered-clients.js';
import { strictPolicy, trustedPolicy } from './net/index.js';
import { cachingResourceStore, mergedResources, type ResourceDefinitions } from './extensions/resource-store.js';
import { userServicePasswordValidator } from './extensions/password-validator.js';
import { issueTokens, type TokenIssueRequest, type TokenResponseBody } from './extensions/token-service.js';
import type { Resources } from './model/types.js';
import { federationGateway } from './federation/index.js';
import { continueFlow } from './endpoints/authorize/authorize-endpoint.js';

/** Options of `createGatehouse`; the extension points are described in docs/extending.md. */
export interface GatehouseOptions extends ExtensionOptions {
  /** Time source (epoch seconds); tests inject one. */
  clock?: Clock;
  logger?: Logger;
  /** A storage backend; default from `config.store`. */
  backend?: Backend;
  /** A sink for every event (more with `gatehouse.events.subscribe`). */
  events?: EventSink;
  /** Extra grant types, registered like the built-in ones. */
  grants?: GrantHandler[];
  /** Run the background timers (key refresh, purge). Default true. */
  timers?: boolean;
  /** Path prefix stripped before routing (the standalone server uses the issuer's path). */
  mountPath?: string;
  /** Login/consent page URLs of a custom UI, and page templates for the built-in one. */
  interaction?: InteractionOptions;
  /**
   * The peer address of a request to `gh.fetch`, which a Request does not
   * carry (rate limits, login lockout, access log; then `server.trustProxy`
   * applies). It gets the request and whatever else the host passes to
   * `gh.fetch`: Bun `(req, server) => server.requestIP(req)?.address`, Deno
   * `(req, info) => info.remoteAddr.hostname`, @hono/node-server
   * `(req, env) => env.incoming.socket.remoteAddress` with `gh.fetch(c.req.raw, c.env)`.
   */
  clientAddress?: PeerAddress;
}

export interface Gatehouse {
  /** node:http handler; also Express/Connect middleware (calls next() for paths it does not serve). */
  handler: NodeHandler;
  /** Web-standard handler; arguments after the request go to `options.clientAddress`. */
  fetch(request: Request, ...context: unknown[]): Promise<Response>;
  /** The interaction API a custom login/consent UI calls. */
  interactions: InteractionApi;
  /** Server-side sessions: query, end remotely, revoke a client's grant (docs/logout.md). */
  sessions: SessionManagement;
  context: ProviderContext;
  /** Registers a grant type handler (the built-in ones use this too). */
  registerGrant(grant: GrantHandler): void;
  /** Registers a token_endpoint_auth_method. */
  registerClientAuthMethod(method: ClientAuthMethod): void;
  /** The token service custom grants call: issues access (and refresh) tokens for a validated request. */
  tokens: { issue(request: TokenIssueRequest): Promise<TokenResponseBody> };
  /** Reads the resource store again (the timer does so every `storeCache.ttl` seconds). */
  refreshStores(): Promise<void>;
  /** Typed events: `events.subscribe(fn)` for all, `events.on('token_issued', fn)` for one type. */
  events: Pick<EventBus, 'subscribe' | 'on'>;
  /** Prometheus metrics (this provider's own registry); undefined when `metrics.enabled` is false. */
  metrics: Pick<Metrics, 'registry' | 'render'> | undefined;
  /** Handler of the management listener (metrics and health) when `metrics.port` is set. */
  managementHandler: NodeHandler | undefined;
  /** Starts draining: readiness answers 503 from now on (graceful shutdown). */
  drain(): void;
  close(): Promise<void>;
}

export function endpointUrls(issuer: string): EndpointUrls {
  return {
    authorization: issuer + PATHS.authorization,
    token: issuer + PATHS.token,
    userinfo: issuer + PATHS.userinfo,
    jwks: issuer + PATHS.jwks,
    introspection: issuer + PATHS.introspection,
    revocation: issuer + PATHS.revocation,
    endSession: issuer + PATHS.endSession,
    checkSession: issuer + PATHS.checkSession,
    backchannelAuthentication: issuer + PATHS.backchannelAuthentication,
    deviceAuthorization: issuer + PATHS.deviceAuthorization,
  };
}

/** The issuer: `server.issuer`, else `http://localhost:<port>`; no trailing slash. */
export function issuerOf(config: Config): string {
  return (config.server.issuer ?? `${config.server.tls ? 'https' : 'http'}://localhost:${config.server.port}`).replace(/\/$/, '');
}

/**
 * The per-address settings in force although the fetch handler has no way to
 * learn a client's address (no `options.clientAddress`, and no trusted hop
 * count that would read it from a proxy header); undefined when it can.
 */
export function fetchAddressUnknown(config: Config, options: Pick<GatehouseOptions, 'clientAddress'>): string[] | undefined {
  const tp = config.server.trustProxy;
  if (options.clientAddress || (tp && tp.hops !== undefined && tp.cidrs === undefined)) return undefined;
  const rl = config.rateLimits;
  const on = rl.enabled ? (['tokenPerIp', 'authorizePerIp', 'loginPerIp'] as const).filter((k) => rl[k] > 0).map((k) => `rateLimits.${k}`) : [];
  // The soft lockout is per address too: without addresses every request is one address.
  return [...on, 'authentication.lockoutThreshold'];
}

/**
 * Creates a provider.
 *
 * @example
 * const gh = await createGatehouse(await loadConfigFile('gatehouse.json'));
 * http.createServer(gh.handler).listen(5000);
 */
export async function createGatehouse(input: ConfigInput | Config, options: GatehouseOptions = {}): Promise<Gatehouse> {
  const extraGrants = [...(options.grants ?? []), ...(options.extensionGrants ?? []).map(extensionGrant)];
  const parseOptions = { extraGrantTypes: extraGrants.map((g) => g.grantType) };
  const { config: fileConfig, warnings } = parseConfig(input, parseOptions);
  const logger = options.logger ?? (await createLogger(fileConfig));
  for (const w of warnings) logger.warn({ setting: w.path }, w.message);
  const clock = options.clock ?? systemClock;
  const bus = createEventBus({ logger, clock, successLevel: fileConfig.events.successLogLevel, failureLevel: fileConfig.events.failureLogLevel });
  if (options.events) bus.subscribe(options.events);
  const tracing = createTracing();
  // OIDC Core §8.1: the configured clients' sector identifier URIs are fetched and checked before anything opens.
  await checkSectorIdentifiers(fileConfig);
  const rawBackend = options.backend ?? (await openBackend(fileConfig, { clock, logger }));
  // Clients and resources may also live in the database (`gatehouse import`).
  const { config, version: configVersion } = await configWithDatabase(input, fileConfig, rawBackend.configDocuments, parseOptions);
  const issuer = issuerOf(config);
  const kek = await loadKeyEncryptionKey(config, process.env, logger);
  let ctx: ProviderContext | undefined;
  const metrics = config.metrics.enabled
    ? createMetrics({ config, events: bus, clock, backend: rawBackend, keys: { list: () => keys.list() }, isGrantType: (g) => ctx?.grants.has(g) ?? false })
    : undefined;
  // A custom backend without an outbox keeps deliveries in this process's memory.
  const backend = instrumentBackend(rawBackend.outbox ? rawBackend : { ...rawBackend, outbox: new MemoryOutbox() }, metrics, tracing);
  const onKeyCreated = (k: { kid: string; alg: string; activatesAt: number; reason: string }) =>
    bus.emit({ type: 'key_rotated', kids: [k.kid], reason: k.reason, detail: { alg: k.alg, activatesAt: k.activatesAt } });
  // Encrypted request objects (RFC 9101 §6.1) are decrypted with a server key kept beside the signing keys.
  const encryptionAlgorithms = config.requestObjects.encryptionKeyAlg ? [config.requestObjects.encryptionKeyAlg] : [];
  const keys = createKeyManager({ config, store: backend.keys, clock, logger, kek, onKeyCreated, encryptionAlgorithms });
  await keys.start();
  backend.changes?.subscribe('keys', () => void keys.refresh().catch((err: unknown) => logger.error({ err }, 'signing key refresh failed')));
  const limiter = await createRateLimiter({ config, clock, logger, events: bus.emit, issuer });
  // Host stores (extensions/): clients and resources beyond the configuration's, through TTL caches.
  const withHostStore = (registry: ClientRegistry) =>
    options.clientStore
      ? storeClientRegistry(registry, options.clientStore, clock, options.storeCache, (clientId, problems) =>
          logger.warn({ clientId, problems }, 'client store returned an invalid client'),
        )
      : registry;
  // Registered clients (RFC 7591) and Client ID Metadata Documents (docs/registration.md), after the configuration and a host's store.
  const documents =
    config.clientIdMetadataDocuments.enabled &&
    metadataDocumentResolver(config.clientIdMetadataDocuments, config.outbound, () => metadataDocumentRules(ctx as ProviderContext), clock);
  const withClientStore = (registry: ClientRegistry) =>
    config.registration.enabled || config.admin.enabled || documents
      ? dynamicClientRegistry(withHostStore(registry), {
          clock,
          // Clients made through the admin API (admin/) are stored like registered ones.
          registered: config.registration.enabled || config.admin.enabled ? registeredClientStore(backend.records) : undefined,
          documents: documents || undefined,
          ttl: config.registration.cacheTime,
          onInvalid: (clientId, problems) => logger.warn({ clientId, problems }, 'a registered client does not validate'),
        })
      : withHostStore(registry);
  const resourceStore = options.resourceStore && cachingResourceStore(options.resourceStore, options.storeCache ?? {}, clock);
  let storeResources: ResourceDefinitions = resourceStore ? await resourceStore.getAllResources() : {};
  // The demo API's URL is a resource indicator too (RFC 8707, MCP): resource-server/test-api-resource.ts.
  // The admin API is an API resource of its own when enabled (admin/admin-resource.ts).
  const resourcesOf = (c: Config): Resources =>
    withAdminResource(withTestApiResource(resourceStore ? mergedResources(c, storeResources) : compileResources(c), c, issuer), c);
  const clients = withClientStore(compileClients(config));
  const users = createUserService({ config, backend, clock, limiter, store: options.userStore });
  const extensions = resolveExtensions(options);
  extensions.passwordValidator ??= userServicePasswordValidator(users);
  // Keys of registered and metadata-document clients are the client's URLs: the strict policy (no private addresses).
  const isDynamic = (clientId: string) => (ctx?.clients as { isDynamic?: (id: string) => boolean } | undefined)?.isDynamic?.(clientId) ?? false;
  const clientJwks = createClientJwksCache({
    outbound: config.outbound,
    policyFor: (c) => (isDynamic(c.clientId) ? strictPolicy(config.outbound) : trustedPolicy(config.outbound)),
  });
  // MFA data lives with the users: a host user store's own table, else the backend's user_mfa table.
  const mfaTable = options.userStore?.mfa ?? backend.userMfa;
  const mfa = config.mfa.enabled && mfaTable ? createMfaService({ config, issuer, table: mfaTable, kek, now: () => clock.now() }) : undefined;
  ctx = {
    config,
    issuer,
    clock,
    logger,
    clients,
    resources: resourcesOf(config),
    backend,
    stores: createTypedStores(backend.records),
    keys,
    users,
    extensions,
    grants: new Map(),
    clientAuthMethods: createClientAuthMethods(config.outbound, clientJwks, config.mtls.enabled),
    clientJwks,
    mfa,
    events: bus.emit,
    rateLimits: limiter,
    endpoints: endpointUrls(issuer),
    verifiedJwts: createVerifiedJwtCache(),
    background: createBackgroundTasks((err) => logger.error({ err }, 'background task failed')),
    dpop: createDpopContext({ settings: config.dpop, kek, records: backend.records, clock: () => clock.now() }),
  };
  // The one way a grant is added: built-in ones, the `grants` option's, and a host's later (gh.registerGrant).
  let rebuildDiscovery: (() => void) | undefined;
  const registerGrant = (grant: GrantHandler): void => {
    ctx.grants.set(grant.grantType, grant);
    rebuildDiscovery?.();
  };
  for (const g of [...builtInGrants, ...extraGrants]) registerGrant(g);

  const interaction = interactiveParts(ctx, options.interaction);
  const health: HealthState = { draining: false };
  const ops = operationalRoutes(ctx, metrics, health);
  // The demo's test API validates tokens through this provider's own fetch handler, built below.
  let ownFetch: ((request: Request) => Promise<Response>) | undefined;
  const testApi = testApiRoutes(ctx, (request) => {
    if (!ownFetch) throw new Error('the provider is still starting');
    return ownFetch(request);
  });
  const federation = federationGateway(ctx, { continueFlow: continueFlow(interaction.flow, ctx), renderError: interaction.renderErrorPage });
  const admin = adminRoutes(ctx, (request) => {
    if (!ownFetch) throw new Error('the provider is still starting');
    return ownFetch(request);
  });
  const built = buildRoutes(ctx, { interactive: interaction, operational: ops.main, testApi, admin });
  const routes = federation(built.routes, [PATHS.endSession, `${config.ui.basePath.replace(/\/$/, '')}/logout`]);
  rebuildDiscovery = built.rebuildDiscovery;
  let corsOrigins = new Set(clients.all().flatMap((c) => [...c.corsOriginSet]));
  // With a client store, the origins of its clients in the cache count too (read per CORS request).
  const allowedOrigins = options.clientStore ? () => new Set([...corsOrigins, ...ctx.clients.all().flatMap((c) => [...c.corsOriginSet])]) : () => corsOrigins;
  const dispatcher = new Dispatcher(ctx, routes, allowedOrigins, interaction.renderErrorPage);
  dispatcher.observer = createRequestObserver({ accessLog: config.server.accessLog ? logger : undefined, metrics, tracing });
  const limits = { bodyLimit: config.server.bodyLimit, bodyTimeout: config.server.bodyTimeout };
  const clientAddress = createClientAddressResolver(config.server.trustProxy);
  const fetchHandler = createFetchHandler(dispatcher, limits, options.mountPath, { peer: options.clientAddress, resolve: clientAddress });
  let fetchWarned = false;
  const management = ops.management && createNodeHandler(new Dispatcher(ctx, ops.management, () => new Set(), interaction.renderErrorPage), limits);

  const configWatcher =
    backend.configDocuments &&
    watchDatabaseConfig({
      input,
      store: backend.configDocuments,
      changes: backend.changes,
      version: configVersion,
      logger,
      parseOptions,
      pollInterval: options.timers === false ? 0 : config.store.configPollInterval,
      apply(next) {
        ctx.config = next;
        ctx.clients = withClientStore(compileClients(next));
        ctx.resources = resourcesOf(next);
        corsOrigins = new Set(ctx.clients.all().flatMap((c) => [...c.corsOriginSet]));
        rebuildDiscovery();
      },
    });

  const refreshStores = async () => {
    if (!resourceStore) return;
    storeResources = await resourceStore.getAllResources();
    ctx.resources = resourcesOf(ctx.config);
    rebuildDiscovery();
  };

  const timers: NodeJS.Timeout[] = [];
  if (options.timers !== false && resourceStore) {
    const refresh = setInterval(
      () => void refreshStores().catch((err: unknown) => logger.error({ err }, 'resource store refresh failed')),
      (options.storeCache?.ttl ?? 300) * 1000,
    );
    refresh.unref();
    timers.push(refresh);
  }
  if (options.timers !== false) {
    const purge = setInterval(() => {
      endExpiredSessions(ctx)
        .then(() => backend.records.purgeExpired(clock.now()))
        .catch((err: unknown) => logger.error({ err }, 'purge failed'));
    }, config.store.purgeInterval * 1000);
    purge.unref();
    timers.push(purge);
    const drain = () => {
      void drainLogoutOutbox(ctx).catch((err: unknown) => logger.error({ err }, 'back-channel logout outbox drain failed'));
      void drainPingOutbox(ctx).catch((err: unknown) => logger.error({ err }, 'CIBA ping outbox drain failed'));
    };
    const outbox = setInterval(drain, config.authentication.backChannelLogoutOutboxInterval * 1000);
    // A node (re)starting takes over what is waiting at once, not one interval later.
    const first = setTimeout(drain, 0);
    outbox.unref();
    first.unref();
    timers.push(outbox, first);
  } else keys.stop();

  // The test API's own calls (discovery, JWKS) are internal: no client address, no warning.
  ownFetch = (request) => fetchHandler(request);
  return {
    // RFC 8705: the client certificate from the TLS socket, or from mtls.certificateHeader sent by a trusted proxy.
    handler: createNodeHandler(
      dispatcher,
      limits,
      options.mountPath,
      clientAddress,
      createClientCertificateResolver(config.server.trustProxy, config.mtls.certificateHeader),
    ),
    fetch(request, ...context) {
      if (!fetchWarned) {
        fetchWarned = true;
        const unknown = fetchAddressUnknown(config, options);
        if (unknown)
          logger.warn(
            { settings: unknown },
            'the fetch handler cannot know client addresses: per-address rate limits do not apply to its requests and the login lockout treats them all as one address; pass options.clientAddress (or set server.trustProxy.hops behind a proxy)',
          );
      }
      return fetchHandler(request, ...context);
    },
    interactions: interaction.api,
    sessions: createSessionManagement(ctx),
    context: ctx,
    events: { subscribe: bus.subscribe.bind(bus), on: bus.on.bind(bus) },
    metrics,
    managementHandler: management,
    drain() {
      health.draining = true;
    },
    registerGrant,
    registerClientAuthMethod(method) {
      ctx.clientAuthMethods.set(method.name, method);
      rebuildDiscovery();
    },
    tokens: { issue: (request) => issueTokens(ctx, request) },
    refreshStores,
    async close() {
      for (const t of timers) clearInterval(t);
      configWatcher?.stop();
      keys.stop();
      await ctx.background.close();
      await limiter?.close();
      await backend.close();
    },
  };
}
