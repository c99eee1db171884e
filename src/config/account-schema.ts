/**
 * Account self-service (docs/account.md): the signed-in account page, opt-in
 * self-registration, password reset by email, account deletion; and the
 * SMTP settings of the mails these flows send.
 */
import type { output as ZodOutput } from 'zod';
import { z } from './zod-runtime.js';

const seconds = z.number().int();

export const passwordPolicySchema = z.object({
  /** Fewest characters of a new password (NIST SP 800-63B §5.1.1.2: at least 8). */
  minLength: z.number().int().min(8).max(128).default(10),
  /** Most characters of a new password. */
  maxLength: z.number().int().min(16).max(4096).default(256),
  /** Refuse a password equal to the username or email address. */
  rejectUsername: z.boolean().default(true),
});

export const accountSchema = z.object({
  /** The signed-in account page `{ui.basePath}/account` (profile, password, sessions, applications). */
  enabled: z.boolean().default(true),
  /** Self-registration with email verification (needs `email` and a user store that can create users). */
  registration: z.boolean().default(false),
  /** Password reset by an emailed link (needs `email`). */
  passwordReset: z.boolean().default(false),
  /** Users may delete their own account (after entering their password again, or signing in recently). */
  deletion: z.boolean().default(false),
  /** Seconds a registration's verification link is valid. */
  verificationLifetime: seconds.min(60).max(604800).default(86400),
  /** Seconds a password reset link is valid. */
  resetLifetime: seconds.min(60).max(86400).default(900),
  /** A sign-in at most this many seconds old counts as re-authentication for deleting the account. */
  reauthenticationMaxAge: seconds.min(0).max(3600).default(300),
  /** Reset requests per email address per `rateLimits.window`; 0 = no limit. */
  resetPerEmail: z.number().int().min(0).default(3),
  /** Reset and registration requests per client address per `rateLimits.window`; 0 = no limit. */
  requestsPerIp: z.number().int().min(0).default(10),
  passwordPolicy: passwordPolicySchema.default(passwordPolicySchema.parse({})),
});

export const smtpSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  /** Refuse to send unless STARTTLS succeeds. */
  requireTLS: z.boolean().default(false),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  /** Milliseconds to wait for the connection and for each answer. */
  timeout: z.number().int().positive().default(10_000),
});

export const emailSchema = z.object({
  /** The sender: `Gatehouse <no-reply@example.com>`. */
  from: z.string().min(3),
  smtp: smtpSchema,
});

export type AccountConfig = ZodOutput<typeof accountSchema>;
export type EmailConfig = ZodOutput<typeof emailSchema>;
export type PasswordPolicy = ZodOutput<typeof passwordPolicySchema>;
