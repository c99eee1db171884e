/**
 * The zod schemas of the admin API's bodies: the one source of request
 * validation and of the OpenAPI document (admin/openapi.ts).
 */
import { clientSchema } from '../config/schema.js';
import { z } from '../config/zod-runtime.js';

const TEN_YEARS = 10 * 365 * 86400;

/** A client as created (`POST /clients`): the configuration file's client without secrets (they are made by the server). */
export const clientCreateSchema = clientSchema.omit({ clientSecrets: true }).strict();

/** A client as replaced (`PUT /clients/{clientId}`): the same, `clientId` optional (the path names it). */
export const clientUpdateSchema = clientCreateSchema.extend({ clientId: clientSchema.shape.clientId.optional() }).strict();

/** A secret as listed: never its value. */
export const secretViewSchema = z.object({
  type: z.enum(['SharedSecret', 'SymmetricKey']),
  description: z.string().optional(),
  expiration: z.string().optional(),
});

/** A client as answered. */
export const clientViewSchema = clientSchema.omit({ clientSecrets: true }).extend({
  /** `configuration`: the config file or a host store (read-only); `admin`: made through this API or the CLI; `registration`: RFC 7591. */
  source: z.enum(['configuration', 'admin', 'registration']),
  readOnly: z.boolean(),
  secrets: z.array(secretViewSchema),
  /** The client secret, in the answer to a create only. */
  clientSecret: z.string().optional(),
  createdAt: z.number().int().optional(),
});

/** `POST /clients/{clientId}/secrets`: a new secret, shown once. */
export const secretCreateSchema = z
  .object({
    /** Seconds the secret is accepted; default 90 days. 0: it never expires. */
    expiresIn: z
      .number()
      .int()
      .min(0)
      .max(TEN_YEARS)
      .default(90 * 86400),
    description: z.string().max(200).optional(),
    /** Remove the other secrets at once (default: they stay until their own expiry, so callers can move over). */
    replaceExisting: z.boolean().default(false),
  })
  .strict();

export const secretCreatedSchema = z.object({
  clientId: z.string(),
  secret: z.string(),
  expiration: z.string().optional(),
  description: z.string().optional(),
});

export const auditEntrySchema = z.object({
  id: z.string(),
  time: z.number().int(),
  actorSubject: z.string().optional(),
  actorClientId: z.string().optional(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  address: z.string().optional(),
  requestId: z.string().optional(),
});

/** RFC 9457 problem details, with the admin API's `errors` member. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), path: z.string(), detail: z.string() })).optional(),
});

/** `POST /users`: a user of the SQL user store (the password is hashed with argon2id). */
export const userCreateSchema = z
  .object({
    username: z.string().trim().min(1).max(255),
    password: z.string().min(1).max(4096),
    /** Default: a random UUID. */
    subjectId: z.string().min(1).max(255).optional(),
    claims: z.record(z.string(), z.unknown()).optional(),
    isActive: z.boolean().default(true),
  })
  .strict();

/** `POST /users/{subjectId}/password`. */
export const passwordResetSchema = z.object({ password: z.string().min(1).max(4096) }).strict();

export const userViewSchema = z.object({
  subjectId: z.string(),
  username: z.string(),
  isActive: z.boolean(),
  claims: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

export const keyViewSchema = z.object({
  kid: z.string(),
  alg: z.string(),
  status: z.string(),
  createdAt: z.number().int(),
  activatesAt: z.number().int(),
  retiresAt: z.number().int(),
  removedAt: z.number().int(),
});

export const sessionViewSchema = z.object({
  sid: z.string(),
  subjectId: z.string(),
  authTime: z.number().int(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  absoluteExpiresAt: z.number().int().optional(),
  amr: z.array(z.string()),
  clients: z.array(z.object({ clientId: z.string(), sid: z.string() })),
});
