/**
 * `gatehouse admin-client create [--name NAME] [--read-only] [--secret-lifetime 90d]`:
 * makes a client-credentials client for the admin API (scope
 * `gatehouse.admin`, or `gatehouse.admin.read` with --read-only), stores it
 * with its secret hashed, prints its id and secret once, and writes the
 * change to the audit log (actor `cli`).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.js';
import { systemClock, type Clock } from '../model/types.js';
import type { Backend } from '../stores/types.js';
import { registeredClientStore } from '../stores/typed/registered-clients.js';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE } from '../admin/admin-resource.js';
import { adminClientPayload, clientView, expirationAfter, newClientSecret, storedSecret } from '../admin/admin-client-store.js';
import { auditId, withoutSecrets } from '../admin/audit.js';

export interface AdminClientCommandContext {
  config: Config;
  backend: Pick<Backend, 'records' | 'auditLog'>;
  out: (s: string) => void;
  err: (s: string) => void;
  clock?: Clock;
}

const USAGE = 'usage: gatehouse admin-client create [--name NAME] [--read-only] [--secret-lifetime 90d] [--config FILE]';
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Runs the command; the exit code. */
export async function runAdminClientCommand(args: string[], ctx: AdminClientCommandContext): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'create') {
    ctx.err(USAGE);
    return 1;
  }
  let values: { name?: string; 'read-only'?: boolean; 'secret-lifetime'?: string; json?: boolean };
  try {
    values = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, 'read-only': { type: 'boolean' }, 'secret-lifetime': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (e) {
    ctx.err(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const m = /^(\d{1,9})([smhd]?)$/.exec(values['secret-lifetime'] ?? '90d');
  if (!m) {
    ctx.err(`--secret-lifetime must be a duration such as 90d, 12h or 0 (never expires)\n${USAGE}`);
    return 1;
  }
  const lifetime = Number(m[1]) * (UNITS[m[2] || 's'] ?? 1);
  if (!ctx.config.admin.enabled) ctx.err('warning: admin.enabled is false in this configuration; the client is stored anyway');
  const now = (ctx.clock ?? systemClock).now();
  const clientId = `admin-${randomBytes(9).toString('base64url')}`;
  const secret = newClientSecret();
  const definition = {
    clientId,
    clientName: values.name ?? 'Gatehouse admin client',
    clientSecrets: [storedSecret(secret, expirationAfter(now, lifetime), 'created by gatehouse admin-client create')],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: values['read-only'] ? [ADMIN_READ_SCOPE] : [ADMIN_SCOPE, ADMIN_READ_SCOPE],
  };
  const payload = adminClientPayload(definition, now, { createdBy: 'cli' });
  await registeredClientStore(ctx.backend.records).put(clientId, payload, now);
  await ctx.backend.auditLog?.append({
    id: auditId(),
    time: now,
    actorSubject: 'cli',
    action: 'client.create',
    resourceType: 'client',
    resourceId: clientId,
    after: withoutSecrets(clientView(definition, 'admin', now)),
  });
  if (values.json) ctx.out(JSON.stringify({ client_id: clientId, client_secret: secret }));
  else ctx.out(`client_id:     ${clientId}\nclient_secret: ${secret}\n(the secret is shown only now; it is stored hashed)`);
  return 0;
}
