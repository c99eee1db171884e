/**
 * The `claims` request parameter (OIDC Core §5.5): which individual claims a
 * client asks for, and where (`id_token`, `userinfo`). Parsed and checked at
 * the authorization endpoint, narrowed to what the client may receive
 * ({@link releasableClaims}), stored with the code and the refresh token, and
 * honoured by the ID token and userinfo. Only plain JSON is stored.
 */
import { InvalidRequest } from '../errors.js';
import type { Client, Resources } from '../model/types.js';
import { RESERVED_CLAIMS } from '../config/reserved-claims.js';

import type { ClaimsMember, ClaimsRequest } from '../model/claims-request.js';

export type { ClaimRequest, ClaimsMember, ClaimsRequest } from '../model/claims-request.js';

/** Longest `claims` parameter accepted, in characters. */
export const CLAIMS_PARAMETER_LIMIT = 4096;
/** Claims one member may name. */
export const MAX_REQUESTED_CLAIMS = 64;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function parseMember(name: 'userinfo' | 'id_token', raw: unknown): ClaimsMember {
  if (!isObject(raw)) throw new InvalidRequest(`claims.${name} must be a JSON object`);
  const entries = Object.entries(raw);
  if (entries.length > MAX_REQUESTED_CLAIMS) throw new InvalidRequest(`claims.${name} names more than ${MAX_REQUESTED_CLAIMS} claims`);
  const out: ClaimsMember = {};
  for (const [claim, request] of entries) {
    const at = `claims.${name}.${claim.slice(0, 64)}`;
    if (claim.length === 0 || claim.length > 256) throw new InvalidRequest(`claims.${name} has a claim name that is empty or too long`);
    // §5.5.1: null requests the claim in the default manner.
    if (request === null) {
      out[claim] = null;
      continue;
    }
    if (!isObject(request)) throw new InvalidRequest(`${at} must be null or a JSON object`);
    const parsed: NonNullable<ClaimsMember[string]> = {};
    if (request.essential !== undefined) {
      if (typeof request.essential !== 'boolean') throw new InvalidRequest(`${at}.essential must be a boolean`);
      parsed.essential = request.essential;
    }
    if (request.value !== undefined) {
      if (!isScalar(request.value)) throw new InvalidRequest(`${at}.value must be a string, number or boolean`);
      parsed.value = request.value;
    }
    if (request.values !== undefined) {
      if (!Array.isArray(request.values) || !request.values.every(isScalar))
        throw new InvalidRequest(`${at}.values must be an array of strings, numbers or booleans`);
      parsed.values = request.values;
    }
    // Other members of the claim's object are not understood and ignored (§5.5.1: "Other members MAY be defined").
    out[claim] = parsed;
  }
  return out;
}

/**
 * Parses the `claims` parameter. invalid_request when it is not JSON, not an
 * object, or a member or claim request has the wrong type (§5.5, §5.5.1);
 * undefined when absent. Members other than userinfo and id_token are ignored.
 *
 * @example
 * parseClaimsRequest('{"id_token":{"acr":{"essential":true,"values":["urn:mfa"]}}}')
 * // { id_token: { acr: { essential: true, values: ['urn:mfa'] } } }
 */
export function parseClaimsRequest(raw: string | undefined): ClaimsRequest | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidRequest('claims is not valid JSON');
  }
  if (!isObject(parsed)) throw new InvalidRequest('claims must be a JSON object');
  const out: ClaimsRequest = {};
  if (parsed.userinfo !== undefined) out.userinfo = parseMember('userinfo', parsed.userinfo);
  if (parsed.id_token !== undefined) out.id_token = parseMember('id_token', parsed.id_token);
  return out;
}

/** The `sub` a client asked for with `claims.id_token.sub.value` (§5.5.1: only that user may get the tokens). */
export function requestedSubject(claims: ClaimsRequest | undefined): string | undefined {
  const value = claims?.id_token?.sub?.value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * §5.5.1.1: the acr values an essential `acr` request demands (id_token or
 * userinfo member), or undefined when acr is not requested as essential with values.
 */
export function essentialAcrValues(claims: ClaimsRequest | undefined): string[] | undefined {
  for (const member of [claims?.id_token, claims?.userinfo]) {
    const acr = member?.acr;
    if (!acr?.essential) continue;
    const values = [...(acr.values ?? []), ...(acr.value !== undefined ? [acr.value] : [])].map(String);
    if (values.length) return values;
  }
  return undefined;
}

/** Whether a sign-in's acr satisfies an essential acr request (none: always). */
export function satisfiesEssentialAcr(claims: ClaimsRequest | undefined, acr: string | undefined): boolean {
  const required = essentialAcrValues(claims);
  return required === undefined || (acr !== undefined && required.includes(acr));
}

/** The user claim types a member names (protocol claims such as sub, acr, auth_time are the token's own). */
export function requestedClaimTypes(member: ClaimsMember | undefined): string[] {
  return member ? Object.keys(member).filter((c) => !RESERVED_CLAIMS.has(c)) : [];
}

/**
 * What of a claims request this authorization may release (§5.5: the claims
 * parameter asks for claims besides the scopes'): user claims of identity
 * resources the client is allowed, or, when the user consented to scopes (a
 * client that requires consent, or prompt=consent), of the consented identity
 * scopes only, so a consent cannot be bypassed. Protocol claims stay as asked.
 * Undefined without openid (no ID token, no userinfo).
 *
 * @example
 * payload.claims = releasableClaims(ctx.resources, client, request.claims, scopes, consented);
 */
export function releasableClaims(
  resources: Resources,
  client: Pick<Client, 'allowedScopes'>,
  claims: ClaimsRequest | undefined,
  grantedScopes: readonly string[],
  consented: boolean,
): ClaimsRequest | undefined {
  if (!claims || !grantedScopes.includes('openid')) return undefined;
  const allowed = new Set<string>();
  for (const scope of consented ? grantedScopes : client.allowedScopes) {
    const resource = resources.identity.get(scope);
    if (resource?.enabled) for (const c of resource.userClaims) allowed.add(c);
  }
  const narrow = (member: ClaimsMember | undefined): ClaimsMember | undefined => {
    if (!member) return undefined;
    const out: ClaimsMember = {};
    for (const [name, request] of Object.entries(member)) if (RESERVED_CLAIMS.has(name) || allowed.has(name)) out[name] = request;
    return Object.keys(out).length ? out : undefined;
  };
  const out: ClaimsRequest = {};
  const userinfo = narrow(claims.userinfo);
  const idToken = narrow(claims.id_token);
  if (userinfo) out.userinfo = userinfo;
  if (idToken) out.id_token = idToken;
  return out.userinfo || out.id_token ? out : undefined;
}

/**
 * The userinfo member as an access token carries it (claim
 * {@link USERINFO_CLAIMS_CLAIM}), read back defensively: a token of an
 * earlier version, or any other shape, asks for nothing.
 */
export function userinfoClaimsOf(tokenClaim: unknown): ClaimsMember | undefined {
  if (!isObject(tokenClaim)) return undefined;
  const out: ClaimsMember = {};
  for (const [name, request] of Object.entries(tokenClaim)) out[name] = isObject(request) ? request : null;
  return out;
}

/**
 * The access token claim that carries the userinfo member of the claims
 * request to the userinfo endpoint (the endpoint sees nothing but the token).
 * Only claim names and their essential/value/values, never user data.
 */
export const USERINFO_CLAIMS_CLAIM = 'userinfo_claims';

/** The access token claim that carries `claims_locales` (OIDC Core §5.2) to the userinfo endpoint's profile service. */
export const CLAIMS_LOCALES_CLAIM = 'claims_locales';
