/**
 * Settings of dynamic client registration (RFC 7591, RFC 7592) and of Client
 * ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document).
 * See docs/registration.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
// Same rule as schema.ts `duration` (kept local: schema.ts imports this module).
const duration = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(s|m|h|d)$/, 'must be seconds or a duration such as "90d", "12h", "30m"')])
  .transform((v) => (typeof v === 'number' ? v : Number(v.slice(0, -1)) * DURATION_UNITS[v.slice(-1)]));

const httpUrl = z.string().refine(
  (s) => {
    try {
      return ['https:', 'http:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  },
  { error: 'must be an absolute http(s) URL' },
);

const jwkSet = z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) });

/** An issuer of software statements (RFC 7591 §2.3) and the keys its statements are signed with. */
export const softwareStatementIssuerSchema = z
  .object({
    /** The statement's `iss`. */
    issuer: z.string().min(1),
    /** The issuer's public keys, inline. */
    jwks: jwkSet.optional(),
    /** The issuer's public keys by URL (an operator's URL: fetched with the outbound limits). */
    jwksUri: httpUrl.optional(),
  })
  .refine((i) => (i.jwks === undefined) !== (i.jwksUri === undefined), { error: 'needs exactly one of jwks and jwksUri' });

export const registrationSchema = z.object({
  /** Serve the registration endpoint (`/connect/register`) and the RFC 7592 client configuration endpoint. */
  enabled: z.boolean().default(false),
  /**
   * `required`: every registration presents an initial access token (`gatehouse registration token create`).
   * `optional`: registrations without one are anonymous and limited by `anonymousRedirectUriHosts`.
   */
  initialAccessToken: z.enum(['required', 'optional']).default('required'),
  /**
   * Anonymous registrations must have every redirect URI on one of these hosts (`localhost`, `127.0.0.1`, `[::1]`).
   * Empty: anonymous registrations are limited by the other policies only.
   */
  anonymousRedirectUriHosts: z.array(z.string().min(1)).default([]),
  /**
   * Redirect URIs a registration may use: `*` matches one host label or a part of a path segment
   * (no `.`, `/`, `:`, `@`, `?`, `#`): `https://*.example.com/callback`. Empty: any https URI, http only on loopback hosts (RFC 8252 §7.3).
   */
  redirectUriPatterns: z.array(z.string().min(1)).default([]),
  /** Grant types a registered client may ask for. */
  allowedGrantTypes: z.array(z.string().min(1)).default(['authorization_code', 'refresh_token', 'client_credentials']),
  /** Scopes a registered client may ask for; a registration without `scope` gets these. */
  allowedScopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email', 'offline_access']),
  /** token_endpoint_auth_method values a registration may ask for. */
  allowedAuthMethods: z
    .array(z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']))
    .min(1)
    .default(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']),
  /** Users consent to registered clients (they are not the operator's own applications). */
  requireConsent: z.boolean().default(true),
  /** Seconds a registered client's secret is valid; 0: it does not expire (`client_secret_expires_at: 0`). */
  clientSecretLifetime: duration.default(0),
  /**
   * Seconds each node caches a registered client. An update or deletion made
   * through another node takes effect here within this time (at once on the node that made it).
   */
  cacheTime: duration.default(60),
  /** Default lifetime of the initial access tokens the CLI mints. */
  initialAccessTokenLifetime: duration.default(86400),
  /** Signed software statements (RFC 7591 §2.3). */
  softwareStatements: z
    .object({
      /** Refuse registrations without a statement from a trusted issuer. */
      required: z.boolean().default(false),
      issuers: z.array(softwareStatementIssuerSchema).default([]),
    })
    .default({ required: false, issuers: [] }),
});

export const clientIdMetadataDocumentsSchema = z.object({
  /** Resolve a client_id that is an https URL as a Client ID Metadata Document. */
  enabled: z.boolean().default(false),
  /** Also fetch documents from loopback addresses (`https://localhost`): the demo's exception. Never private or link-local ones. */
  allowLoopback: z.boolean().default(false),
  /** Largest document accepted, in bytes. */
  maxBytes: z.number().int().min(256).max(65536).default(5120),
  /** Milliseconds one fetch may take in all. */
  timeout: z.number().int().positive().max(30000).default(3000),
  /** Seconds a document is kept when its response says nothing (Cache-Control); also the floor and ceiling below bound it. */
  defaultCacheTime: duration.default(300),
  minCacheTime: duration.default(60),
  maxCacheTime: duration.default(86400),
  /** Seconds a failed fetch is remembered (no new fetch for that URL meanwhile). */
  failureCacheTime: duration.default(30),
  /** Scopes such a client may ask for. */
  allowedScopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']),
});

export type RegistrationConfig = ZodOutput<typeof registrationSchema>;
export type ClientIdMetadataDocumentsConfig = ZodOutput<typeof clientIdMetadataDocumentsSchema>;
