/**
 * `{base}/clients`: list, read, create, replace, delete, rotate secrets.
 * Creates are idempotent by the client-supplied `clientId`: the same body
 * again answers 200 with the client (no second secret); another body under
 * a taken id is 409. Replace and delete take `If-Match` (412 when stale;
 * replace without it is 428).
 */
import type { ProviderContext } from '../context.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { registeredClientStore, type RegisteredClientPayload } from '../stores/typed/registered-clients.js';
import type { ClientDefinition } from '../extensions/client-store.js';
import type { AccessTokenInfo } from '../resource-server/types.js';
import type { AuditLogStore } from '../stores/types.js';
import { clientCreateSchema, clientUpdateSchema, secretCreateSchema } from './admin-schemas.js';
import { adminJson, checkIfMatch, decodeCursor, encodeCursor, etagOf, nextLink, pageLimit, queryValue, readBody } from './admin-http.js';
import { AdminProblem, conflict, notFound } from './problem.js';
import { adminClientPayload, clientView, expirationAfter, newClientSecret, sourceOf, storedSecret } from './admin-client-store.js';
import { recordChange, type AuditActor } from './audit.js';

export interface ClientsResource {
  handle(req: InternalRequest, rest: string[], auth: AccessTokenInfo): Promise<InternalResponse>;
}

type Cursor = { c: number } | { t: number; id: string };
const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' &&
  v !== null &&
  (typeof (v as { c?: unknown }).c === 'number' || (typeof (v as { t?: unknown }).t === 'number' && typeof (v as { id?: unknown }).id === 'string'));

/** Does a client view match the list's filters (`source`, `enabled`, `grantType`, `q` in id or name)? */
function matches(view: Record<string, unknown>, req: InternalRequest): boolean {
  const source = queryValue(req, 'source');
  const enabled = queryValue(req, 'enabled');
  const grantType = queryValue(req, 'grantType');
  const q = queryValue(req, 'q')?.toLowerCase();
  if (source !== undefined && view.source !== source) return false;
  if (enabled !== undefined && (view.enabled !== false ? 'true' : 'false') !== enabled) return false;
  if (grantType !== undefined && !((view.allowedGrantTypes as string[] | undefined) ?? []).includes(grantType)) return false;
  const text = `${view.clientId as string} ${typeof view.clientName === 'string' ? view.clientName : ''}`;
  if (q !== undefined && !text.toLowerCase().includes(q)) return false;
  return true;
}

const definitionOf = (body: Record<string, unknown>): ClientDefinition => JSON.parse(JSON.stringify(body)) as ClientDefinition;

export function clientsResource(ctx: ProviderContext, audit: AuditLogStore): ClientsResource {
  const store = registeredClientStore(ctx.backend.records);
  const configured = (id: string) => ctx.config.clients.find((c) => c.clientId === id);
  const forget = (id: string) => (ctx.clients as { forget?: (id: string) => void }).forget?.(id);
  const actorOf = (req: InternalRequest, auth: AccessTokenInfo): AuditActor => ({
    subject: auth.subject,
    clientId: auth.clientId,
    address: req.ip,
    requestId: req.requestId,
  });
  const viewOf = (p: RegisteredClientPayload) => clientView(p.definition, sourceOf(p), p.clientIdIssuedAt);

  async function load(id: string): Promise<{ view: Record<string, unknown>; payload?: RegisteredClientPayload }> {
    const conf = configured(id);
    if (conf) return { view: clientView(conf, 'configuration') };
    const payload = id.length <= 200 ? await store.find(id) : undefined;
    if (!payload) throw notFound(`no client ${id}`);
    return { view: viewOf(payload), payload };
  }

  function writable(id: string, payload: RegisteredClientPayload | undefined, action: string): RegisteredClientPayload {
    if (!payload) throw new AdminProblem(409, 'Conflict', `client ${id} is defined in the configuration file and is read-only here; ${action} it there`);
    return payload;
  }

  async function list(req: InternalRequest): Promise<InternalResponse> {
    const limit = pageLimit(req, ctx.config.admin.pageSize, ctx.config.admin.maxPageSize);
    let cursor = decodeCursor(queryValue(req, 'cursor'), isCursor) ?? { c: 0 };
    const items: Record<string, unknown>[] = [];
    const all = ctx.config.clients;
    // Configured clients first (file order), then stored ones (creation order).
    while ('c' in cursor && cursor.c < all.length && items.length < limit) {
      const view = clientView(all[cursor.c], 'configuration');
      cursor = { c: cursor.c + 1 };
      if (matches(view, req)) items.push(view);
    }
    let more = 'c' in cursor && cursor.c < all.length;
    if (!more && items.length === limit && 'c' in cursor) {
      // The page filled up with the last configured clients: a next page only when stored clients follow.
      more = (await ctx.backend.records.findMany('registered_client', { limit: 1 })).length > 0;
    } else if (!more) {
      const after = 't' in cursor ? { createdAt: cursor.t, id: cursor.id } : undefined;
      const records = await ctx.backend.records.findMany<RegisteredClientPayload>('registered_client', { after, limit: limit - items.length + 1 });
      more = records.length > limit - items.length;
      for (const rec of records.slice(0, limit - items.length)) {
        cursor = { t: rec.createdAt, id: rec.id };
        const view = viewOf(rec.payload);
        if (matches(view, req)) items.push(view);
      }
    }
    return adminJson(more ? { items, next: nextLink(req, encodeCursor(cursor)) } : { items });
  }

  async function create(req: InternalRequest, auth: AccessTokenInfo): Promise<InternalResponse> {
    const body = readBody(req, clientCreateSchema);
    const def = definitionOf(body);
    const existing = configured(body.clientId) ? undefined : await store.find(body.clientId);
    if (configured(body.clientId)) throw conflict(`client ${body.clientId} is defined in the configuration file`);
    if (existing) {
      // Idempotent create: the same request again answers the client as it is (no new secret).
      const { clientSecrets: _ignored, ...stored } = existing.definition;
      if (sourceOf(existing) === 'admin' && JSON.stringify(stored) === JSON.stringify(def)) {
        const view = viewOf(existing);
        return adminJson(view, 200, { etag: etagOf(view), location: `${req.url.origin}${req.path}/${encodeURIComponent(body.clientId)}` });
      }
      throw conflict(`client ${body.clientId} exists with other settings; replace it with PUT and If-Match`);
    }
    const now = ctx.clock.now();
    const confidential = body.requireClientSecret && !body.jwks && !body.jwksUri;
    const secret = confidential ? newClientSecret() : undefined;
    const expiration = expirationAfter(now, 90 * 86400);
    const payload = adminClientPayload({ ...def, ...(secret ? { clientSecrets: [storedSecret(secret, expiration, 'created with the client')] } : {}) }, now);
    await store.put(body.clientId, payload, now);
    forget(body.clientId);
    const view = viewOf(payload);
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'client.create', resourceType: 'client', resourceId: body.clientId, after: view });
    return adminJson({ ...view, ...(secret ? { clientSecret: secret } : {}) }, 201, {
      etag: etagOf(view),
      location: `${req.url.origin}${req.path}/${encodeURIComponent(body.clientId)}`,
    });
  }

  async function replace(req: InternalRequest, id: string, auth: AccessTokenInfo): Promise<InternalResponse> {
    const { view: before, payload } = await load(id);
    const current = writable(id, payload, 'change');
    if (sourceOf(current) !== 'admin') throw conflict(`client ${id} was registered by RFC 7591; change it through its registration client URI`);
    checkIfMatch(req, etagOf(before), true);
    const body = readBody(req, clientUpdateSchema);
    if (body.clientId !== undefined && body.clientId !== id) throw new AdminProblem(422, 'Unprocessable Content', 'clientId differs from the path');
    const now = ctx.clock.now();
    const def = { ...definitionOf(body), clientId: id, ...(current.definition.clientSecrets ? { clientSecrets: current.definition.clientSecrets } : {}) };
    const next: RegisteredClientPayload = { ...current, definition: def, metadata: { ...current.metadata, updatedAt: now } };
    await store.put(id, next, now);
    forget(id);
    const after = viewOf(next);
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'client.update', resourceType: 'client', resourceId: id, before, after });
    return adminJson(after, 200, { etag: etagOf(after) });
  }

  async function remove(req: InternalRequest, id: string, auth: AccessTokenInfo): Promise<InternalResponse> {
    const { view: before, payload } = await load(id);
    writable(id, payload, 'delete');
    checkIfMatch(req, etagOf(before), false);
    // The client the caller's token was issued to (the CLI's admin client, later the console's): deleting it would lock the caller out.
    if (auth.clientId === id) throw conflict(`client ${id} is the client your token was issued to; delete it with another admin client`);
    await store.delete(id);
    forget(id);
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'client.delete', resourceType: 'client', resourceId: id, before });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  }

  async function rotateSecret(req: InternalRequest, id: string, auth: AccessTokenInfo): Promise<InternalResponse> {
    const { view: before, payload } = await load(id);
    const current = writable(id, payload, 'rotate the secret of');
    checkIfMatch(req, etagOf(before), false);
    const body = readBody(req, secretCreateSchema, true);
    const now = ctx.clock.now();
    const secret = newClientSecret();
    const expiration = expirationAfter(now, body.expiresIn);
    const kept = body.replaceExisting ? [] : (current.definition.clientSecrets ?? []);
    const def: ClientDefinition = { ...current.definition, clientSecrets: [...kept, storedSecret(secret, expiration, body.description)] };
    const next: RegisteredClientPayload = { ...current, definition: def, metadata: { ...current.metadata, updatedAt: now } };
    await store.put(id, next, now);
    forget(id);
    const after = viewOf(next);
    await recordChange(ctx, audit, actorOf(req, auth), { action: 'client.secret.rotate', resourceType: 'client', resourceId: id, before, after });
    return adminJson({ clientId: id, secret, ...(expiration ? { expiration } : {}), ...(body.description ? { description: body.description } : {}) }, 201, {
      etag: etagOf(after),
    });
  }

  return {
    async handle(req, rest, auth) {
      const [id, sub, ...more] = rest;
      if (id === undefined) {
        if (req.method === 'GET') return list(req);
        if (req.method === 'POST') return create(req, auth);
        throw methodNotAllowed('GET, POST');
      }
      if (sub === undefined) {
        if (req.method === 'GET') {
          const { view } = await load(id);
          return adminJson(view, 200, { etag: etagOf(view) });
        }
        if (req.method === 'PUT') return replace(req, id, auth);
        if (req.method === 'DELETE') return remove(req, id, auth);
        throw methodNotAllowed('GET, PUT, DELETE');
      }
      if (sub === 'secrets' && more.length === 0) {
        if (req.method === 'POST') return rotateSecret(req, id, auth);
        throw methodNotAllowed('POST');
      }
      throw notFound(`no such resource ${req.path}`);
    },
  };
}

export const methodNotAllowed = (allow: string) => new AdminProblem(405, 'Method Not Allowed', `use ${allow}`, { headers: { allow } });
