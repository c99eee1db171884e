/**
 * Tables for reading an IdentityServer `appsettings.json`: enum values and the
 * IdentityServer settings Gatehouse knows but does not implement. A setting in
 * these tables is dropped silently when it holds IdentityServer's default
 * (same behaviour) and with a warning otherwise; any other unknown name is
 * kept and rejected by validation, so typos never pass silently.
 */

/** IdentityServer enums, by name (any case) or by their numeric value. */
export const ENUM_VALUES: Record<string, Record<string, string>> = {
  AccessTokenType: { jwt: 'jwt', reference: 'reference', '0': 'jwt', '1': 'reference' },
  RefreshTokenUsage: { reuse: 'reUse', onetimeonly: 'oneTimeOnly', '0': 'reUse', '1': 'oneTimeOnly' },
  RefreshTokenExpiration: { sliding: 'sliding', absolute: 'absolute', '0': 'sliding', '1': 'absolute' },
};

/** `undefined` marks a setting without a harmless default: any non-empty value warns. */
export type IgnoredSettings = Record<string, unknown>;

export const IGNORED_CLIENT_SETTINGS: IgnoredSettings = {
  ProtocolType: 'oidc',
  RequireRequestObject: false,
  RequireDPoP: false,
  DPoPValidationMode: undefined,
  DPoPClockSkew: undefined,
  AllowedIdentityTokenSigningAlgorithms: undefined,
  IdentityProviderRestrictions: undefined,
  EnableLocalLogin: true,
  IncludeJwtId: true,
  UserCodeType: undefined,
  PairWiseSubjectSalt: undefined,
  Properties: undefined,
  InitiateLoginUri: undefined,
  RequirePushedAuthorization: false,
  PushedAuthorizationLifetime: undefined,
};

export const IGNORED_SCOPE_SETTINGS: IgnoredSettings = { Properties: undefined };

export const IGNORED_RESOURCE_SETTINGS: IgnoredSettings = {
  Properties: undefined,
  AllowedAccessTokenSigningAlgorithms: undefined,
  ShowInDiscoveryDocument: true,
};

export const IGNORED_USER_SETTINGS: IgnoredSettings = { ProviderName: undefined, ProviderSubjectId: undefined };

/** IdentityServerOptions and ASP.NET template settings that may sit in the `IdentityServer` section. */
export const IGNORED_SECTION_SETTINGS: IgnoredSettings = {
  LowerCaseIssuerUri: true,
  AccessTokenJwtType: 'at+jwt',
  EmitStaticAudienceClaim: false,
  EmitScopesAsSpaceDelimitedStringInJwt: false,
  EmitIssuerIdentificationResponseParameter: true,
  EmitStateHash: false,
  StrictJarValidation: false,
  ValidateTenantOnAuthorization: false,
  ...Object.fromEntries(
    [
      'Endpoints',
      'Discovery',
      'Authentication',
      'Events',
      'InputLengthRestrictions',
      'UserInteraction',
      'Caching',
      'Cors',
      'Csp',
      'Validation',
      'DeviceFlow',
      'Logging',
      'MutualTls',
      'KeyManagement',
      'PersistentGrants',
      'DynamicProviders',
      'ServerSideSessions',
      'Ciba',
      'PushedAuthorization',
      'JwtValidationClockSkew',
      'LicenseKey',
      'Preview',
      'Diagnostics',
      'Key',
    ].map((name) => [name, undefined]),
  ),
};

/** Claim value types (System.Security.Claims.ClaimValueTypes, IdentityServer's "json"). */
export const BOOLEAN_CLAIM_TYPE = 'http://www.w3.org/2001/XMLSchema#boolean';
export const NUMBER_CLAIM_TYPES = new Set(
  ['integer', 'integer32', 'integer64', 'int', 'double', 'long', 'decimal'].map((t) => `http://www.w3.org/2001/XMLSchema#${t}`),
);
export const JSON_CLAIM_TYPE = 'json';

/** Standard claims that are booleans or numbers (OIDC Core §5.1), read from strings when given as strings. */
export const BOOLEAN_CLAIMS = new Set(['email_verified', 'phone_number_verified']);
export const NUMBER_CLAIMS = new Set(['updated_at']);
