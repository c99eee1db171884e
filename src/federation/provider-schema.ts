/**
 * The configuration of one external identity provider (`externalProviders[]`
 * in the config file, or a dynamic provider stored in the backend through
 * `gatehouse providers add`). One schema for both, so a stored provider is
 * checked exactly as a configured one.
 */
import type { output as ZodOutput, input as ZodInput } from 'zod';
import { z } from '../config/zod-runtime.js';

/** Provider names appear in URLs (`/federation/NAME/callback`) and in `acr_values=idp:NAME`. */
export const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const url = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.hash;
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL without fragment');

export const externalProviderSchema = z.object({
  /** Lower-case name used in URLs and `acr_values=idp:NAME`. */
  name: z.string().regex(PROVIDER_NAME, 'must be lower-case letters, digits, - or _ (at most 40)'),
  /** Label of the login page button. */
  displayName: z.string().min(1).max(100).optional(),
  /**
   * `oidc` (discovery from `issuer`), `oauth2` (endpoints and a userinfo URL
   * given), or a preset: `google`, `microsoft` (Entra ID), `github`, `apple`.
   */
  type: z.enum(['oidc', 'oauth2', 'google', 'microsoft', 'github', 'apple']).default('oidc'),
  enabled: z.boolean().default(true),
  /** The upstream issuer (OpenID Provider Issuer discovery, OIDC Discovery 1.0 §4). */
  issuer: url.optional(),
  clientId: z.string().min(1).max(500),
  /** Shared secret; for `apple` it is generated as an ES256 JWT from `apple` below. */
  clientSecret: z.string().max(2000).optional(),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']).default('client_secret_basic'),
  scopes: z.array(z.string().min(1).max(200)).optional(),
  /** OAuth 2.0 providers (and overrides): endpoints without discovery. */
  authorizationEndpoint: url.optional(),
  tokenEndpoint: url.optional(),
  userinfoEndpoint: url.optional(),
  /** Local claim name -> upstream claim name (JIT provisioning and the claims updated at each sign-in). */
  claimMapping: z.record(z.string(), z.string()).default({}),
  /** The upstream claim that identifies the person (default `sub`; GitHub: `id`). */
  subjectClaim: z.string().optional(),
  /** Home-realm discovery: an email address in one of these domains goes straight to this provider. */
  domains: z.array(z.string().regex(/^[a-z0-9.-]+$/, 'must be a lower-case domain name')).default([]),
  /** Send PKCE (RFC 7636) with S256; on by default. */
  usePkce: z.boolean().default(true),
  /** Microsoft Entra ID: tenant id or `common` / `organizations` / `consumers` (multi-tenant). */
  tenant: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/)
    .optional(),
  /** Apple: the client secret is an ES256 JWT signed with this key (Sign in with Apple REST API). */
  apple: z.object({ teamId: z.string().min(1), keyId: z.string().min(1), privateKeyPem: z.string().min(1) }).optional(),
});

export type ExternalProviderConfig = ZodOutput<typeof externalProviderSchema>;
export type ExternalProviderInput = ZodInput<typeof externalProviderSchema>;

/** Per-client choice of sign-in methods (IdentityServer's Client.IdentityProviderRestrictions and EnableLocalLogin). */
export const clientFederationFields = {
  /** Only these external providers are offered to the client (empty: all). */
  identityProviderRestrictions: z.array(z.string()).default([]),
  /** Offer the username/password form; false leaves only external providers. */
  enableLocalLogin: z.boolean().default(true),
};

/** The config file's `federation` section. */
export const federationSchema = z.object({
  /** Seconds a node keeps the list of dynamic providers before reading the store again. */
  providerCacheTtl: z.number().int().min(0).max(3600).default(30),
  /** Seconds an upstream sign-in may take (state, nonce and PKCE verifier are kept this long). */
  requestLifetime: z.number().int().min(60).max(3600).default(600),
});
