/**
 * Dynamic client registration (RFC 7591 §3) and client configuration
 * (RFC 7592 §2) at one path, `/connect/register`:
 * - POST registers a client (initial access token as a Bearer token when the policy asks for one);
 * - GET, PUT and DELETE at `registration_client_uri` (`/connect/register?client_id=...`) read,
 *   replace and delete it with the registration access token (Bearer).
 * Metadata errors are the RFC 7591 §3.2.2 codes with the JSON path of the bad field.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { noStoreJson, type InternalRequest, type InternalResponse } from '../core/types.js';
import { InvalidClientMetadata, InvalidRequest, InvalidToken, RegistrationNotSupported } from '../errors.js';
import { hashSecret } from '../client-auth/secrets.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { buildClient } from '../registration/build-client.js';
import { NON_METADATA_FIELDS, parseClientMetadata } from '../registration/client-metadata.js';
import { registrationRules } from '../registration/registration-rules.js';
import { softwareStatementVerifier } from '../registration/software-statement.js';
import { initialAccessTokenStore, registeredClientStore, type RegisteredClientPayload } from '../stores/typed/registered-clients.js';

/** The path of the registration endpoint (and, with `?client_id=`, of the client configuration endpoint). */
export const REGISTRATION_PATH = '/connect/register';

const challenge = (error?: string) => ({ 'www-authenticate': error ? `Bearer error="${error}"` : 'Bearer' });

/** RFC 6750 §3.1: 401 with WWW-Authenticate. */
function invalidToken(description: string, withError = true): InvalidToken {
  const err = new InvalidToken(description);
  err.headers = challenge(withError ? 'invalid_token' : undefined);
  return err;
}

function bearer(req: InternalRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(h.trim());
  if (!m || m[1].length > 512) throw invalidToken('the Authorization header must be a Bearer token');
  return m[1];
}

function jsonBody(req: InternalRequest): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new InvalidClientMetadata('the body must be a JSON object with content type application/json (RFC 7591 §3.1)');
  let body: unknown;
  try {
    body = JSON.parse(req.text ?? '');
  } catch {
    throw new InvalidClientMetadata('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidClientMetadata('$: must be a JSON object');
  return body as Record<string, unknown>;
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** @example routes.set(REGISTRATION_PATH, { methods: ['POST', 'GET', 'PUT', 'DELETE'], json: true, handle: registrationEndpoint(ctx) }); */
export function registrationEndpoint(ctx: ProviderContext): (req: InternalRequest, ctx: ProviderContext) => Promise<InternalResponse> {
  const statements = softwareStatementVerifier(ctx.config.registration, ctx.config.outbound, ctx.clock);
  const clients = registeredClientStore(ctx.backend.records);
  const initialTokens = initialAccessTokenStore(ctx.backend.records);
  const clientUri = (clientId: string) => `${ctx.issuer}${REGISTRATION_PATH}?client_id=${encodeURIComponent(clientId)}`;
  const forget = (clientId: string) => (ctx.clients as { forget?: (id: string) => void }).forget?.(clientId);

  /** The request's metadata: RFC 7591 §2.3, a software statement's claims override the plain fields. */
  const metadataOf = async (body: Record<string, unknown>) => {
    const settings = ctx.config.registration.softwareStatements;
    let fields = Object.fromEntries(Object.entries(body).filter(([k]) => !NON_METADATA_FIELDS.includes(k)));
    if (body.software_statement !== undefined) {
      fields = { ...fields, ...(await statements.verify(body.software_statement)) };
    } else if (settings.required) {
      throw new InvalidClientMetadata('$.software_statement: a software statement from a trusted issuer is required');
    }
    return { metadata: parseClientMetadata(fields), statement: body.software_statement !== undefined };
  };

  /** The answer of RFC 7591 §3.2.1 / RFC 7592 §3: the registered metadata and the client's identifiers. */
  const describe = (clientId: string, p: RegisteredClientPayload, extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    ...extra,
    client_id_issued_at: p.clientIdIssuedAt,
    ...(p.definition.clientSecrets?.length ? { client_secret_expires_at: p.clientSecretExpiresAt } : {}),
    registration_client_uri: clientUri(clientId),
    ...p.metadata,
  });

  const issueSecret = (now: number) => {
    const secret = newHandle();
    const lifetime = ctx.config.registration.clientSecretLifetime;
    const expiresAt = lifetime > 0 ? now + lifetime : 0;
    const entry = { value: hashSecret(secret), type: 'SharedSecret' as const, ...(expiresAt ? { expiration: new Date(expiresAt * 1000).toISOString() } : {}) };
    return { secret, expiresAt, entry };
  };

  const register = async (req: InternalRequest): Promise<InternalResponse> => {
    const now = ctx.clock.now();
    const token = bearer(req);
    if (token !== undefined) {
      if (!(await initialTokens.use(handleId(token), now))) throw invalidToken('the initial access token is invalid or expired');
    } else if (ctx.config.registration.initialAccessToken === 'required') {
      throw invalidToken('an initial access token is required (RFC 7591 §3)', false);
    }
    const { metadata } = await metadataOf(jsonBody(req));
    const clientId = randomBytes(18).toString('base64url');
    const built = buildClient(clientId, metadata, registrationRules(ctx), token === undefined);
    const secret = built.needsSecret ? issueSecret(now) : undefined;
    const accessToken = newHandle();
    const payload: RegisteredClientPayload = {
      metadata: built.metadata,
      definition: { ...built.definition, clientSecrets: secret ? [secret.entry] : [] },
      registrationTokenHash: handleId(accessToken),
      clientIdIssuedAt: now,
      clientSecretExpiresAt: secret?.expiresAt ?? 0,
      anonymous: token === undefined,
    };
    await clients.put(clientId, payload, now);
    ctx.events({ type: 'client_registered', clientId, detail: { anonymous: token === undefined } });
    return noStoreJson(describe(clientId, payload, { ...(secret ? { client_secret: secret.secret } : {}), registration_access_token: accessToken }), 201);
  };

  /** RFC 7592 §2: the client of the registration access token; 401 invalid_token otherwise (also for an unknown client). */
  const authorized = async (req: InternalRequest): Promise<{ clientId: string; payload: RegisteredClientPayload }> => {
    const ids = req.query.get('client_id');
    if (!ids || ids.length !== 1 || ids[0].length > 200) throw new InvalidRequest('client_id must be given once in the query');
    const token = bearer(req);
    if (token === undefined) throw invalidToken('a registration access token is required', false);
    const payload = await clients.find(ids[0]);
    if (!payload || !sameHash(handleId(token), payload.registrationTokenHash)) throw invalidToken('the registration access token is not valid for this client');
    return { clientId: ids[0], payload };
  };

  const update = async (req: InternalRequest, clientId: string, current: RegisteredClientPayload): Promise<InternalResponse> => {
    const now = ctx.clock.now();
    const body = jsonBody(req);
    // RFC 7592 §2.2: client_id must be the current one; a client_secret sent must be the current one.
    if (body.client_id !== clientId) throw new InvalidClientMetadata('$.client_id: must be the client identifier of this client (RFC 7592 §2.2)');
    const held = current.definition.clientSecrets?.[0]?.value;
    if (body.client_secret !== undefined && (typeof body.client_secret !== 'string' || !held || !sameHash(hashSecret(body.client_secret), held))) {
      throw new InvalidClientMetadata('$.client_secret: is not the current client secret (RFC 7592 §2.2)');
    }
    const { metadata } = await metadataOf(body);
    const built = buildClient(clientId, metadata, registrationRules(ctx), current.anonymous ?? false);
    // A client that keeps using a secret keeps its secret; one that starts to gets a new one; one that stops loses it.
    const fresh = built.needsSecret && !held ? issueSecret(now) : undefined;
    const secrets = built.needsSecret ? (fresh ? [fresh.entry] : (current.definition.clientSecrets ?? [])) : [];
    const payload: RegisteredClientPayload = {
      ...current,
      metadata: built.metadata,
      definition: { ...built.definition, clientSecrets: secrets },
      clientSecretExpiresAt: fresh ? fresh.expiresAt : built.needsSecret ? current.clientSecretExpiresAt : 0,
    };
    await clients.put(clientId, payload, now);
    forget(clientId);
    return noStoreJson(describe(clientId, payload, fresh ? { client_secret: fresh.secret } : {}));
  };

  return async (req) => {
    if (!ctx.config.registration.enabled) throw new RegistrationNotSupported('dynamic client registration is not enabled');
    if (req.method === 'POST') {
      if (req.query.has('client_id')) throw new InvalidRequest('register without client_id; manage a client at its registration_client_uri');
      return register(req);
    }
    const { clientId, payload } = await authorized(req);
    if (req.method === 'GET') return noStoreJson(describe(clientId, payload));
    if (req.method === 'PUT') return update(req, clientId, payload);
    // DELETE (RFC 7592 §2.3): the client, its secret and its registration access token are gone.
    await clients.delete(clientId);
    forget(clientId);
    ctx.events({ type: 'client_deleted', clientId });
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  };
}
