/**
 * `{base}/users` (SQL user store: create, read, delete, disable, enable,
 * reset the password), `{base}/sessions` (list per user or client, end one) and
 * `{base}/keys` (list, rotate) over the existing user admin, session admin
 * and key manager. Every change goes to the audit log.
 */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import type { AccessTokenInfo } from '../resource-server/types.js';
import { endSessions, querySessions, revokeClientGrant } from '../sessions/session-admin.js';
import type { AuditLogStore, StoredUser } from '../stores/types.js';
import { addUser, setPassword, UserAdminError } from '../users/user-admin.js';
import { adminJson, checkIfMatch, etagOf, queryValue, readBody } from './admin-http.js';
import { passwordResetSchema, userCreateSchema } from './admin-schemas.js';
import { recordChange, type AuditActor } from './audit.js';
import { methodNotAllowed } from './clients-resource.js';
import { AdminProblem, conflict, notFound } from './problem.js';

type Handler = (req: InternalRequest, rest: string[], auth: AccessTokenInfo) => Promise<InternalResponse>;

const userView = (u: StoredUser) => ({
  subjectId: u.subjectId,
  username: u.username,
  isActive: u.isActive,
  claims: u.claims,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});
const actorOf = (req: InternalRequest, auth: AccessTokenInfo): AuditActor => ({
  subject: auth.subject,
  clientId: auth.clientId,
  address: req.ip,
  requestId: req.requestId,
});
const noContent = (): InternalResponse => ({ status: 204, headers: { 'cache-control': 'no-store' } });

export function usersResource(ctx: ProviderContext, audit: AuditLogStore): Handler {
  const users = ctx.backend.users;
  const find = async (subjectId: string) => {
    const u = subjectId.length <= 255 ? await users.findBySubject(subjectId) : undefined;
    if (!u) throw notFound(`no user ${subjectId} in the user store`);
    return u;
  };
  /** As account deletion does (account/account-actions.ts): grants revoked, sessions ended, reset links dropped, then the row. */
  async function removeUser(req: InternalRequest, id: string, before: ReturnType<typeof userView>, auth: AccessTokenInfo): Promise<InternalResponse> {
    checkIfMatch(req, etagOf(before), false);
    const clients = new Set(await ctx.stores.grants.clientsHolding(id, 0));
    for (const s of await querySessions(ctx, { subjectId: id })) for (const c of s.clients) clients.add(c.clientId);
    for (const clientId of clients) await revokeClientGrant(ctx, id, clientId);
    await endSessions(ctx, { subjectId: id });
    await ctx.stores.accountLinks.deleteResetsOf(id);
    if (!(await users.delete(id))) throw notFound(`no user ${id} in the user store`);
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'user.delete', resourceType: 'user', resourceId: id, before });
    return noContent();
  }
  return async (req, rest, auth) => {
    const [id, action, ...more] = rest;
    if (id === undefined) {
      if (req.method === 'GET') {
        const username = queryValue(req, 'username');
        const all = username !== undefined ? [await users.findByUsername(username)].filter((u) => u !== undefined) : await users.list();
        return adminJson({ items: all.map(userView) });
      }
      if (req.method !== 'POST') throw methodNotAllowed('GET, POST');
      const body = readBody(req, userCreateSchema);
      let created: StoredUser;
      try {
        created = await addUser(ctx.backend, body, ctx.clock);
      } catch (e) {
        if (e instanceof UserAdminError) throw conflict(e.message);
        throw e;
      }
      const view = userView(created);
      await recordChange(ctx, audit, actorOf(req, auth), { action: 'user.create', resourceType: 'user', resourceId: created.subjectId, after: view });
      return adminJson(view, 201, { etag: etagOf(view), location: `${req.url.origin}${req.path}/${encodeURIComponent(created.subjectId)}` });
    }
    if (more.length) throw notFound(`no such resource ${req.path}`);
    const before = userView(await find(id));
    if (action === undefined) {
      if (req.method === 'DELETE') return removeUser(req, id, before, auth);
      if (req.method !== 'GET') throw methodNotAllowed('GET, DELETE');
      return adminJson(before, 200, { etag: etagOf(before) });
    }
    if (req.method !== 'POST') throw methodNotAllowed('POST');
    if (action === 'disable' || action === 'enable') {
      await users.update(id, { isActive: action === 'enable', updatedAt: ctx.clock.now() });
      // A disabled user's sessions end now (back-channel logout to their clients).
      if (action === 'disable') await endSessions(ctx, { subjectId: id });
      const after = userView(await find(id));
      await recordChange(ctx, audit, actorOf(req, auth), { action: `user.${action}`, resourceType: 'user', resourceId: id, before, after });
      return adminJson(after, 200, { etag: etagOf(after) });
    }
    if (action === 'password') {
      const { password } = readBody(req, passwordResetSchema);
      await setPassword(ctx.backend, before.username, password, ctx.clock);
      await recordChange(ctx, audit, actorOf(req, auth), { action: 'user.password.reset', resourceType: 'user', resourceId: id });
      return noContent();
    }
    throw notFound(`no such resource ${req.path}`);
  };
}

export function sessionsResource(ctx: ProviderContext, audit: AuditLogStore): Handler {
  return async (req, rest, auth) => {
    const [sid, ...more] = rest;
    if (more.length) throw notFound(`no such resource ${req.path}`);
    if (sid === undefined) {
      if (req.method !== 'GET') throw methodNotAllowed('GET');
      const subjectId = queryValue(req, 'subjectId');
      const clientId = queryValue(req, 'clientId');
      if (subjectId === undefined && clientId === undefined) throw new AdminProblem(400, 'Bad Request', 'give subjectId or clientId');
      return adminJson({ items: await querySessions(ctx, { subjectId, clientId }) });
    }
    if (req.method !== 'DELETE') throw methodNotAllowed('DELETE');
    const [before] = await querySessions(ctx, { sid });
    if (!before) throw notFound(`no live session ${sid}`);
    await endSessions(ctx, { sid });
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'session.end', resourceType: 'session', resourceId: sid, before });
    return noContent();
  };
}

export function keysResource(ctx: ProviderContext, audit: AuditLogStore): Handler {
  return async (req, rest, auth) => {
    if (rest.length === 0) {
      if (req.method !== 'GET') throw methodNotAllowed('GET');
      return adminJson({ items: await ctx.keys.list() });
    }
    if (rest.length !== 1 || rest[0] !== 'rotate') throw notFound(`no such resource ${req.path}`);
    if (req.method !== 'POST') throw methodNotAllowed('POST');
    const before = await ctx.keys.list();
    const created = await ctx.keys.rotate();
    await recordChange(ctx, audit, actorOf(req, auth), {
      action: 'key.rotate',
      resourceType: 'key',
      resourceId: created.map((k) => k.kid).join(' '),
      before,
      after: created,
    });
    return adminJson({ items: created }, 201);
  };
}
