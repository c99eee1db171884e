/**
 * Writes one audit entry per admin change (who, what, before/after without
 * secrets, when, from where) to the backend's append-only audit log, and
 * sends it to the event sinks as an `admin_change` event.
 */
import { randomBytes } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { AuditEntry, AuditLogStore } from '../stores/types.js';

/** Keys whose values are secrets: removed (secrets keep their type, description and expiry). */
const SECRET_KEYS = new Set(['password', 'passwordHash', 'secret', 'clientSecret', 'registrationTokenHash', 'privateKey', 'encryptedPrivateKey']);
/** Lists of secrets: their entries lose `value`. */
const SECRET_LISTS = new Set(['clientSecrets', 'apiSecrets']);

/** A deep copy without secret values. */
export function withoutSecrets(value: unknown, inSecretList = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, inSecretList));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(k) || (inSecretList && k === 'value')) continue;
    out[k] = withoutSecrets(v, SECRET_LISTS.has(k));
  }
  return out;
}

/** Ids that sort in the order entries were made (milliseconds, then random). */
export const auditId = (): string => `${Date.now().toString().padStart(15, '0')}-${randomBytes(6).toString('hex')}`;

export interface AuditChange {
  action: string;
  resourceType: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditActor {
  subject?: string;
  clientId?: string;
  address?: string;
  requestId?: string;
}

/** Appends the entry (durably, before the API answers) and emits `admin_change`. */
export async function recordChange(ctx: ProviderContext, log: AuditLogStore, actor: AuditActor, change: AuditChange): Promise<AuditEntry> {
  const entry: AuditEntry = { id: auditId(), time: ctx.clock.now(), action: change.action, resourceType: change.resourceType, resourceId: change.resourceId };
  if (actor.subject !== undefined) entry.actorSubject = actor.subject;
  if (actor.clientId !== undefined) entry.actorClientId = actor.clientId;
  if (actor.address !== undefined) entry.address = actor.address;
  if (actor.requestId !== undefined) entry.requestId = actor.requestId;
  if (change.before !== undefined) entry.before = withoutSecrets(change.before);
  if (change.after !== undefined) entry.after = withoutSecrets(change.after);
  await log.append(entry);
  ctx.events({
    type: 'admin_change',
    clientId: actor.clientId,
    subjectId: actor.subject,
    requestId: actor.requestId,
    detail: { action: change.action, resourceType: change.resourceType, resourceId: change.resourceId, auditId: entry.id, address: actor.address },
  });
  return entry;
}
