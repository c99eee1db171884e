/**
 * Which user claims go into which token: the identity resources' claims into
 * the ID token and the userinfo response (OIDC Core §5.4), the API scopes' and
 * API resources' claims into access tokens (IdentityServer's model).
 */
import type { ProviderContext } from '../context.js';
import { InvalidGrant } from '../errors.js';
import { defaultProfileService, withoutProtocolClaims, type IsActiveCaller, type ProfileCaller } from '../extensions/profile-service.js';
import type { Client, Resources, User } from '../model/types.js';
import { RESERVED_CLAIMS } from '../config/reserved-claims.js';
import type { ClaimsMember } from '../model/claims-request.js';

/**
 * Claims a user store or profile must never set: the protocol's own
 * (config/reserved-claims.ts, the one list, also refused in client claims).
 */
export const PROTECTED_CLAIMS: ReadonlySet<string> = RESERVED_CLAIMS;

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
  const wanted = claimTypesFor(resources, scopes, target, audiences);
  const out: Record<string, unknown> = {};
  for (const type of wanted) {
    if (PROTECTED_CLAIMS.has(type) || !Object.hasOwn(userClaims, type)) continue;
    const value = userClaims[type];
    if (value !== undefined && value !== null) out[type] = value;
  }
  return out;
}

/**
 * The claim types the scopes release: identity resources' userClaims
 * (`identity`), or API scopes' and audience API resources' userClaims (`access`).
 */
export function claimTypesFor(
  resources: Resources,
  scopes: readonly string[],
  target: 'identity' | 'access',
  audiences?: readonly string[],
): ReadonlySet<string> {
  return target === 'identity' ? identityClaimTypesCached(resources, scopes) : accessClaimTypes(resources, scopes, audiences);
}

export interface ProfileClaimsRequest {
  subjectId: string;
  /** The user store's user, when the caller has looked it up. */
  user: User | undefined;
  client: Client;
  caller: ProfileCaller;
  scopes: readonly string[];
  target: 'identity' | 'access';
  audiences?: readonly string[];
  /** OIDC Core §5.5: claims the claims parameter asks for besides the scopes' (already narrowed to what may be released). */
  claimsRequest?: ClaimsMember;
  /** false: only the claimsRequest's claims, not the scopes' (an ID token next to an access token). Default true. */
  scopeClaims?: boolean;
  /** OIDC Core §5.2 claims_locales, passed to the profile service. */
  claimsLocales?: string;
}

/** The claim types of a request: the scopes' (unless scopeClaims is false) and the claims parameter's user claims. */
function wantedTypes(ctx: ProviderContext, req: ProfileClaimsRequest): ReadonlySet<string> {
  const fromScopes = req.scopeClaims === false ? new Set<string>() : claimTypesFor(ctx.resources, req.scopes, req.target, req.audiences);
  if (!req.claimsRequest) return fromScopes;
  const all = new Set(fromScopes);
  for (const type of Object.keys(req.claimsRequest)) if (!PROTECTED_CLAIMS.has(type)) all.add(type);
  return all;
}

/**
 * The user claims for a token or userinfo, from the profile service
 * (extensions/profile-service.ts); protocol claims are dropped.
 *
 * @example
 * const claims = await profileClaims(ctx, { subjectId, user, client, caller: 'userinfo', scopes, target: 'identity' });
 */
export async function profileClaims(ctx: ProviderContext, req: ProfileClaimsRequest): Promise<Record<string, unknown>> {
  const profile = ctx.extensions.profile;
  const plain = req.claimsRequest === undefined && req.scopeClaims !== false;
  // The built-in service is today's claimsForScopes: no promise, no copy.
  if (profile === defaultProfileService && plain) return req.user ? claimsForScopes(ctx.resources, req.user.claims, req.scopes, req.target, req.audiences) : {};
  const requestedClaimTypes = wantedTypes(ctx, req);
  if (profile === defaultProfileService) return defaultProfileService.getProfileData({ user: req.user, requestedClaimTypes });
  const claims = await profile.getProfileData({
    subject: req.subjectId,
    user: req.user,
    client: req.client,
    caller: req.caller,
    requestedClaimTypes,
    scopes: req.scopes,
    ...(req.claimsRequest && { claimsRequest: req.claimsRequest }),
    ...(req.claimsLocales !== undefined && { claimsLocales: req.claimsLocales }),
  });
  return withoutProtocolClaims(claims ?? {});
}

/**
 * The user of a subject, looked up in the user store, when the profile
 * service says the user is active; undefined otherwise.
 *
 * @example
 * const user = await activeProfile(ctx, sub, client, 'userinfo');
 * if (!user) throw new InvalidToken('the user is no longer active');
 */
export async function activeProfile(
  ctx: ProviderContext,
  subjectId: string | undefined,
  client: Client,
  caller: IsActiveCaller,
): Promise<{ subjectId: string; user: User | undefined } | undefined> {
  if (!subjectId) return undefined;
  // One user lookup: the User carries isActive (the same answer as users.isActive).
  const user = await ctx.users.findBySubject(subjectId);
  const profile = ctx.extensions.profile;
  const active =
    profile === defaultProfileService
      ? // The built-in profile: the user's isActive, and the user store's isActive when it has one.
        user?.isActive === true && (!ctx.users.store.isActive || (await ctx.users.store.isActive(subjectId)))
      : await profile.isActive({ subject: subjectId, user, client, caller });
  return active ? { subjectId, user } : undefined;
}

/** {@link activeProfile} for grants: invalid_grant when the user is gone or inactive (IdentityServer's semantics). */
export async function activeGrantSubject(ctx: ProviderContext, subjectId: string | undefined, client: Client, caller: IsActiveCaller) {
  const found = await activeProfile(ctx, subjectId, client, caller);
  if (!found) throw new InvalidGrant('the user of this grant is no longer active');
  return found;
}

/** Per resources object (replaced, never mutated, when configuration changes): scope list -> claim types. */
const identityClaimMemo = new WeakMap<Resources, Map<string, Set<string>>>();
const MEMO_LIMIT = 1000;

/** identityClaimTypes, remembered per scope list (the same few scope strings recur on every userinfo call). */
function identityClaimTypesCached(resources: Resources, scopes: readonly string[]): Set<string> {
  let memo = identityClaimMemo.get(resources);
  if (!memo) identityClaimMemo.set(resources, (memo = new Map<string, Set<string>>()));
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
