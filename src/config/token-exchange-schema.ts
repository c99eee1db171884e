/**
 * The per-client token exchange policy (RFC 8693; docs/token-exchange.md):
 * which subject tokens a client may exchange, for which targets, and whether
 * it may impersonate and/or delegate. Part of the one config schema
 * (`clients[].tokenExchange`); a client without it gets the defaults.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

/** RFC 8693 §3: the token type identifiers Gatehouse accepts for its own tokens. */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

const name = z.string().min(1).max(200);

export const tokenExchangePolicySchema = z.object({
  /**
   * Types of Gatehouse-issued tokens accepted as subject_token: access tokens
   * (JWT and reference), and ID tokens when listed. Types a host's
   * `subjectTokenValidator` handles are accepted besides these.
   */
  subjectTokenTypes: z.array(z.enum([TOKEN_TYPE.accessToken, TOKEN_TYPE.idToken])).default([TOKEN_TYPE.accessToken]),
  /**
   * A subject access token must carry one of these audiences (`*`: any).
   * Empty (the default): the API resources the client's own allowed scopes belong to.
   */
  subjectTokenAudiences: z.array(name).default([]),
  /**
   * The subject token must have been issued to one of these clients (its
   * `client_id`; an ID token's audience). `*` (the default): any client.
   */
  subjectTokenClients: z.array(name).default(['*']),
  /**
   * Target audiences and resources (RFC 8693 `audience`, RFC 8707 `resource`)
   * the exchanged token may have. Empty (the default): any API resource the
   * granted scopes reach.
   */
  allowedAudiences: z.array(name).default([]),
  /** Exchange without actor_token: the new token is the subject's alone (impersonation, RFC 8693 §1.1). */
  impersonation: z.boolean().default(true),
  /** Exchange with actor_token: the new token names the actor in `act` (delegation, RFC 8693 §1.1, §4.1). */
  delegation: z.boolean().default(true),
});

export type TokenExchangePolicy = ZodOutput<typeof tokenExchangePolicySchema>;

/** The policy of a client that configures none. */
export const DEFAULT_TOKEN_EXCHANGE_POLICY: TokenExchangePolicy = tokenExchangePolicySchema.parse({});
