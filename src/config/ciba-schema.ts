/**
 * Configuration of OpenID Connect Client-Initiated Backchannel Authentication
 * (CIBA Core 1.0): the provider-wide `ciba` section and the client fields of
 * its registration metadata (§4). docs/ciba.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

const httpUri = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && !s.includes('#');
    } catch {
      return false;
    }
  },
  { error: 'must be an absolute http(s) URI without fragment' },
);

/** The client fields (CIBA §4 client metadata, in the configuration's camelCase). */
export const cibaClientFields = {
  /** CIBA §4 backchannel_token_delivery_mode: `poll` (when absent), or `ping` (a POST to backchannelClientNotificationEndpoint). Push is not supported. */
  backchannelTokenDeliveryMode: z.enum(['poll', 'ping']).optional(),
  /** CIBA §4 backchannel_client_notification_endpoint: required for ping mode. */
  backchannelClientNotificationEndpoint: httpUri.optional(),
  /** CIBA §4 backchannel_user_code_parameter: the client sends user_code (checked by the host's CibaUserResolver.verifyUserCode). */
  backchannelUserCodeParameter: z.boolean().optional(),
  /** Seconds an auth_req_id of this client lives when the request names no requested_expiry; default `ciba.defaultExpiry`. */
  cibaLifetime: z.number().int().positive().max(86400).optional(),
};

export const cibaSchema = z.object({
  /** Seconds an auth_req_id lives when neither the request (requested_expiry) nor the client says. */
  defaultExpiry: z.number().int().positive().max(86400).default(300),
  /** Longest lifetime a requested_expiry may get (longer requests are shortened to it). */
  maxExpiry: z.number().int().positive().max(86400).default(1800),
  /** Seconds a client must wait between polls (CIBA §7.3 interval). */
  interval: z.number().int().min(1).max(60).default(5),
  /** Longest binding_message accepted, in characters (CIBA §7.1: "relatively short"). */
  bindingMessageMaxLength: z.number().int().min(1).max(512).default(64),
  /** Further attempts after a failed ping notification POST. */
  pingRetries: z.number().int().min(0).max(10).default(2),
});

export type CibaConfig = ZodOutput<typeof cibaSchema>;
