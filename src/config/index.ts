/** Configuration: schema, loading, validation, compilation and the published JSON Schema. */
export { ConfigError, formatPath, type ConfigIssue, type ConfigWarning } from './config-error.js';
export { parseConfig, loadConfig, loadConfigFile, readConfigDocument, type ParseConfigOptions } from './load.js';
export { isAppSettings, mapAppSettings, type AppSettingsResult } from './appsettings.js';
export { compileClients, compileClient, compileResources, authMethodsOf } from './compile.js';
export { configJsonSchema } from './json-schema.js';
export { KNOWN_GRANT_TYPES } from './cross-checks.js';
export { isLoopbackHost } from './insecure-settings.js';
export { STANDARD_IDENTITY_RESOURCE_NAMES, resolveIdentityResource, standardIdentityResource } from './standard-resources.js';
export * from './schema.js';
