/**
 * Which user claims go into which token: the identity resources' claims into
 * the ID token and the userinfo response (OIDC Core §5.4), the API scopes' and
 * API resources' claims into access tokens (IdentityServer's model).
 */
import type { Resources } from '../model/types.js';

/**
 * Claims a user store must never set: they are the token's own (RFC 7519 §4.1,
 * OIDC Core §2, RFC 9068 §2.2) and come from the protocol, not the profile.
 */
export const PROTECTED_CLAIMS: ReadonlySet<string> = new Set([
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp',
  'at_hash', 'c_hash', 's_hash', 'sid', 'client_id', 'scope', 'cnf', 'typ', 'events', 'act', 'may_act',
]);

/**
 * The user claims that the granted scopes release.
 *
 * - `identity`: the userClaims of each granted, enabled identity resource
 *   (profile -> name, given_name, ...; email -> email, email_verified; ...).
 * - `access`: the userClaims of each granted API scope and of the audience API
 *   resources (`audiences`, default: every resource the API scopes reach).
 *
 * Only claims the user has are returned; protected claims never are.
 *
 * @example
 * claimsForScopes(ctx.resources, user.claims, ['openid', 'email'], 'identity')
 * // { email: 'alice@example.com', email_verified: true }
 */
export function claimsForScopes(
  resources: Resources,
  userClaims: Readonly<Record<string, unknown>>,
  scopes: readonly string[],
  target: 'identity' | 'access',
  audiences?: readonly string[],
): Record<string, unknown> {
  const wanted = target === 'identity' ? identityClaimTypesCached(resources, scopes) : accessClaimTypes(resources, scopes, audiences);
  const out: Record<string, unknown> = {};
  for (const type of wanted) {
    if (PROTECTED_CLAIMS.has(type) || !Object.hasOwn(userClaims, type)) continue;
    const value = userClaims[type];
    if (value !== undefined && value !== null) out[type] = value;
  }
  return out;
}

/** Per resources object (replaced, never mutated, when configuration changes): scope list -> claim types. */
const identityClaimMemo = new WeakMap<Resources, Map<string, Set<string>>>();
const MEMO_LIMIT = 1000;

/** identityClaimTypes, remembered per scope list (the same few scope strings recur on every userinfo call). */
function identityClaimTypesCached(resources: Resources, scopes: readonly string[]): Set<string> {
  let memo = identityClaimMemo.get(resources);
  if (!memo) identityClaimMemo.set(resources, (memo = new Map()));
  const key = scopes.join(' ');
  let types = memo.get(key);
  if (!types) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    types = identityClaimTypes(resources, scopes);
    memo.set(key, types);
  }
  return types;
}

function identityClaimTypes(resources: Resources, scopes: readonly string[]): Set<string> {
  const types = new Set<string>();
  for (const scope of scopes) {
    const res = resources.identity.get(scope);
    if (res?.enabled) for (const c of res.userClaims) types.add(c);
  }
  return types;
}

function accessClaimTypes(resources: Resources, scopes: readonly string[], audiences?: readonly string[]): Set<string> {
  const types = new Set<string>();
  const reached = new Set<string>();
  for (const scope of scopes) {
    const api = resources.apiScopes.get(scope);
    if (!api?.enabled) continue;
    for (const c of api.userClaims) types.add(c);
    for (const res of resources.resourcesByScope.get(scope) ?? []) reached.add(res.name);
  }
  for (const name of audiences ?? reached) {
    const res = resources.apiResources.get(name);
    if (res?.enabled) for (const c of res.userClaims) types.add(c);
  }
  return types;
}
