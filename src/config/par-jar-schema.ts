/**
 * Settings for pushed authorization requests (RFC 9126) and request objects
 * (RFC 9101, OIDC Core §6): the client fields and the server-wide section.
 * See docs/par-jar.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

/** Seconds, as a plain number (this module does not import schema.ts, which imports it). */
const seconds = z.number().int().positive();

/** Spread into the client schema. */
export const parJarClientFields = {
  /** RFC 9126 §5 `require_pushed_authorization_requests`: this client's authorization requests must come through the PAR endpoint. */
  requirePushedAuthorizationRequests: z.boolean().default(false),
  /** RFC 9101 §10.5 `require_signed_request_object`: this client's requests must be a signed request object (`request`, or pushed with one). */
  requireSignedRequestObject: z.boolean().default(false),
};

export const pushedAuthorizationSchema = z.object({
  /** Serve the PAR endpoint (`/connect/par`) and advertise it. */
  enabled: z.boolean().default(true),
  /** Seconds a `request_uri` from the PAR endpoint is valid (RFC 9126 §2.2 `expires_in`). */
  lifetime: seconds.max(600).default(60),
  /** Every client must use PAR (RFC 9126 §5 `require_pushed_authorization_requests`). */
  required: z.boolean().default(false),
});

export const requestObjectsSchema = z.object({
  /** Accept request objects by value (`request`, RFC 9101 §5.1) at the authorization and PAR endpoints. */
  enabled: z.boolean().default(true),
  /** Every client's requests must be signed request objects (RFC 9101 §10.5); unsigned (`alg: none`) objects are refused. */
  requireSigned: z.boolean().default(false),
  /**
   * Fetch `request_uri` values that are https URLs (RFC 9101 §5.2) through the outbound client (time and size
   * limits, no private addresses, no redirects). Off by default: the server would fetch URLs a browser hands it.
   */
  fetchByReference: z.boolean().default(false),
  /** Longest lifetime of a request object in seconds, from `nbf` (or `iat`) to `exp`. */
  maxLifetime: seconds.max(86400).default(3600),
  /** Require `exp` in every request object (FAPI profiles do; RFC 9101 leaves it to the server). */
  requireExp: z.boolean().default(false),
  /**
   * Accept encrypted request objects (RFC 9101 §6.1): the server keeps an encryption key of this JWE alg
   * (`RSA-OAEP-256` or `ECDH-ES`), rotated like the signing keys and published in the JWKS with `use: "enc"`.
   * Off by default.
   */
  encryptionKeyAlg: z.enum(['RSA-OAEP-256', 'ECDH-ES']).optional(),
});

export type PushedAuthorizationConfig = ZodOutput<typeof pushedAuthorizationSchema>;
export type RequestObjectsConfig = ZodOutput<typeof requestObjectsSchema>;
