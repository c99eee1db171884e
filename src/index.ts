/**
 * Gatehouse: an OpenID Connect and OAuth 2.0 provider.
 *
 * @example
 * import express from 'express';
 * import { createGatehouse, loadConfigFile } from 'gatehouse';
 * const gh = await createGatehouse(await loadConfigFile('gatehouse.json'));
 * const app = express();
 * app.use(gh.handler);
 */
export { createGatehouse, issuerOf, type Gatehouse, type GatehouseOptions } from './provider.js';
export * from './config/index.js';
export * from './errors.js';
export type { ProviderContext, GrantHandler, ClientAuthMethod, AuthEndpoint, ClientRegistry } from './context.js';
export type { InternalRequest, InternalResponse, Params, SetCookie } from './core/types.js';
export type { InteractionApi, InteractionDetails, LoginResult, ConsentResult, InteractionUrl, InteractionOptions } from './interaction/index.js';
export type { Backend, OperationalStore, KeyStore, UserTable, StoredRecord, RecordFilter } from './stores/types.js';
export type { SessionManagement, SessionFilter, SessionInfo, EndedSession } from './sessions/session-management.js';
export { createMemoryBackend } from './stores/memory.js';
export { openBackend } from './stores/open-backend.js';
export { hashSecret } from './client-auth/secrets.js';
export { hashPassword } from './users/password-hash.js';
export type { Clock, Client, User, UserService, KeyManager, EventSink, GatehouseEvent } from './model/types.js';
export { isEvent } from './events/types.js';
export type { KnownEvent, KnownEventType, EventOf, EventOutcome, EmitEvent } from './events/types.js';
export type { EventBus } from './events/event-bus.js';
export * from './extensions/index.js';
