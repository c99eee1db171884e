/**
 * The device authorization grant (RFC 8628) settings: global defaults of the
 * device code lifetime and polling interval (a client may override both, as
 * IdentityServer's DeviceCodeLifetime and PollingInterval), the user code's
 * shape and the rate limit on guesses at the verification page. docs/device-flow.md.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

const durationSeconds = z.number().int();

export const deviceFlowSchema = z.object({
  /** Seconds a device code and its user code live (RFC 8628 §3.2 expires_in); a client's `deviceCodeLifetime` overrides it. */
  deviceCodeLifetime: durationSeconds.min(10).max(86400).default(300),
  /** Seconds a device waits between polls (RFC 8628 §3.2 interval); a client's `pollingInterval` overrides it. */
  interval: durationSeconds.min(1).max(300).default(5),
  /**
   * Characters of user codes (RFC 8628 §6.1): the default is 20 consonants
   * without vowels (no words) and without look-alikes, case-insensitive; 20^8 codes.
   */
  userCodeAlphabet: z
    .string()
    .regex(/^[A-Z0-9]+$/, 'must be upper-case letters and digits')
    .refine((s) => new Set(s).size === s.length && s.length >= 10, { error: 'needs at least 10 distinct characters' })
    .default('BCDFGHJKLMNPQRSTVWXZ'),
  /** Characters of a user code (shown in groups of four: `WDJB-MJHT`). */
  userCodeLength: z.number().int().min(6).max(16).default(8),
  /**
   * User code guesses per client address per `rateLimits.window` on the
   * verification page (a wrong, expired or used code counts); 0 = no limit.
   * RFC 8628 §5.1: brute forcing the user code is the threat.
   */
  verificationPerIp: z.number().int().min(0).default(10),
});

export type DeviceFlowConfig = ZodOutput<typeof deviceFlowSchema>;
