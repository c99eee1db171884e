/**
 * Settings of the admin API (docs/admin-api.md): REST + JSON under `basePath`,
 * protected by Gatehouse's own access tokens with the `gatehouse.admin` scopes.
 */
import { z } from './zod-runtime.js';

export const adminSchema = z.object({
  /** Serve the admin API and add the `gatehouse.admin` API resource with its two scopes. */
  enabled: z.boolean().default(false),
  /** Path of the API, relative to the issuer. */
  basePath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/, 'must be a path such as /admin/api/v1 (no trailing slash)')
    .default('/admin/api/v1'),
  /** Default page size of list operations (`limit` caps at `maxPageSize`). */
  pageSize: z.number().int().min(1).max(1000).default(50),
  maxPageSize: z.number().int().min(1).max(1000).default(200),
});
