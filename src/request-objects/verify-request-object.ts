/**
 * A request object (RFC 9101, OIDC Core §6) turned into the authorization
 * request's parameters: strict JWS parsing, the signature (or `alg: none`
 * where signing is not required), then the claims that bind it to this
 * server, this client and this moment, and its `jti` once.
 */
import { createHash } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import { InvalidRequestObject } from '../errors.js';
import type { Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import { MalformedJwt, parseCompactJws } from '../tokens/compact-jws.js';
import { verifyRequestObjectSignature } from './request-object-key.js';
import { decryptRequestObject, isCompactJwe } from './decrypt-request-object.js';

/** Longest request object accepted, in characters (a `request` parameter or a fetched document). */
export const REQUEST_OBJECT_LIMIT = 65536;
/** Seconds of clock difference tolerated for exp, nbf and iat. */
export const CLOCK_SKEW = 60;
/** JWT claims of the request object that are not authorization request parameters. */
const JWT_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);
/** RFC 9101 §10.8 explicit typing; `JWT` (or none) from clients written before it. */
const TYPES = new Set(['oauth-authz-req+jwt', 'jwt']);

export interface VerifiedRequestObject {
  /** The request's parameters: the request object's claims only (RFC 9101 §6.3), with the client_id. */
  params: Params;
  /** Signed (not `alg: none`). */
  signed: boolean;
}

/** Does this client have to send signed request objects (RFC 9101 §10.5)? */
export function signedRequestObjectRequired(ctx: ProviderContext, client: Client): boolean {
  return client.requireSignedRequestObject || ctx.config.requestObjects.requireSigned;
}

function parse(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    return parseCompactJws(jwt);
  } catch (err) {
    throw new InvalidRequestObject('the request object is not a JWT in compact serialization', err instanceof MalformedJwt ? err.message : undefined);
  }
}

/** A claim's value as parameter values: strings as they are, numbers and booleans as text, objects (claims, authorization_details) as JSON. */
function asValues(name: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  // RFC 8707 §2: resource may repeat; as a claim it is an array of strings.
  if (name === 'resource' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (value !== null && typeof value === 'object') return [JSON.stringify(value)];
  throw new InvalidRequestObject(`request object claim ${name.slice(0, 40)} has an invalid value`);
}

function checkTime(ctx: ProviderContext, payload: Record<string, unknown>): { exp?: number } {
  const now = ctx.clock.now();
  const { exp, nbf, iat } = payload;
  for (const [name, v] of [
    ['exp', exp],
    ['nbf', nbf],
    ['iat', iat],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new InvalidRequestObject(`request object ${name} must be a number`);
  }
  const limits = ctx.config.requestObjects;
  if (exp === undefined && limits.requireExp) throw new InvalidRequestObject('request object exp is required');
  if (typeof exp === 'number' && exp <= now - CLOCK_SKEW) throw new InvalidRequestObject('the request object has expired');
  if (typeof nbf === 'number' && nbf > now + CLOCK_SKEW) throw new InvalidRequestObject('the request object is not yet valid (nbf)');
  if (typeof iat === 'number' && iat > now + CLOCK_SKEW) throw new InvalidRequestObject('the request object was issued in the future (iat)');
  // A lifetime limit from nbf (or iat, or now) to exp, as FAPI 2.0 Message Signing §5.3.2 bounds it.
  const start = typeof nbf === 'number' ? nbf : typeof iat === 'number' ? iat : now;
  if (typeof exp === 'number' && exp - start > limits.maxLifetime)
    throw new InvalidRequestObject(`the request object lives longer than ${limits.maxLifetime} seconds`);
  if (typeof iat === 'number' && now - iat > limits.maxLifetime + CLOCK_SKEW)
    throw new InvalidRequestObject('the request object was issued too long ago (iat)');
  return { exp: typeof exp === 'number' ? exp : undefined };
}

/** OIDC Core §6.1 and RFC 9101 §10.2: iss is the client, aud names this server; each checked when present. */
function checkIssuerAndAudience(ctx: ProviderContext, client: Client, payload: Record<string, unknown>): void {
  if (payload.iss !== undefined && payload.iss !== client.clientId) throw new InvalidRequestObject('request object iss must be the client_id');
  const aud = payload.aud;
  if (aud === undefined) return;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!values.includes(ctx.issuer)) throw new InvalidRequestObject('request object aud must be the issuer identifier');
}

/** A request object's jti (RFC 7519 §4.1.7) is accepted once per client until the object expires: a replayed object is refused. */
async function checkReplay(ctx: ProviderContext, client: Client, payload: Record<string, unknown>, exp: number | undefined): Promise<void> {
  const jti = payload.jti;
  if (jti === undefined) return;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw new InvalidRequestObject('request object jti must be a string');
  const now = ctx.clock.now();
  const until = (exp ?? now + ctx.config.requestObjects.maxLifetime) + CLOCK_SKEW;
  const id = createHash('sha256').update(`request_object\u0000${client.clientId}\u0000${jti}`).digest('base64url');
  if (!(await ctx.stores.replay.markOnce(id, now, until, client.clientId))) throw new InvalidRequestObject('the request object has already been used (jti)');
}

/**
 * Verifies `jwt` as a request object of `client` (named by the request's
 * client_id) and returns its parameters; throws invalid_request_object.
 *
 * @example
 * const { params, signed } = await verifyRequestObject(ctx, client, single(p, 'request', REQUEST_OBJECT_LIMIT)!);
 */
export async function verifyRequestObject(ctx: ProviderContext, client: Client, jwt: string): Promise<VerifiedRequestObject> {
  if (jwt.length > REQUEST_OBJECT_LIMIT) throw new InvalidRequestObject('the request object is too large');
  // RFC 9101 §6.1: an encrypted object is decrypted first; its plaintext is the (signed or unsecured) JWT.
  if (isCompactJwe(jwt)) jwt = await decryptRequestObject(ctx, jwt);
  const { header, payload } = parse(jwt);
  const alg = header.alg;
  if (typeof alg !== 'string') throw new InvalidRequestObject('request object header has no alg');
  if (header.typ !== undefined && !(typeof header.typ === 'string' && TYPES.has(header.typ.toLowerCase()))) {
    throw new InvalidRequestObject('request object typ must be oauth-authz-req+jwt');
  }
  const signed = alg !== 'none';
  if (!signed) {
    // RFC 9101 §6.2 / §10.5: unsigned objects only where signing is not required; then they carry no signature.
    if (signedRequestObjectRequired(ctx, client)) throw new InvalidRequestObject('this client must sign its request objects (alg none is refused)');
    if (!jwt.endsWith('.')) throw new InvalidRequestObject('an unsigned request object has an empty signature');
  } else {
    await verifyRequestObjectSignature(ctx, client, jwt, alg);
  }
  // RFC 9101 §6.3 / §5: client_id in the object must match the request's.
  if (payload.client_id !== undefined && payload.client_id !== client.clientId)
    throw new InvalidRequestObject('request object client_id does not match the client_id parameter');
  // RFC 9101 §4: request and request_uri must not appear in a request object.
  if ('request' in payload || 'request_uri' in payload) throw new InvalidRequestObject('a request object must not contain request or request_uri');
  checkIssuerAndAudience(ctx, client, payload);
  const { exp } = checkTime(ctx, payload);
  await checkReplay(ctx, client, payload, exp);
  const params: Params = new Map();
  for (const [name, value] of Object.entries(payload)) if (!JWT_CLAIMS.has(name)) params.set(name, asValues(name, value));
  params.set('client_id', [client.clientId]);
  return { params, signed };
}
