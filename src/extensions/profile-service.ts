/**
 * The profile service (IdentityServer's IProfileService): which claims of a
 * user go into a token or the userinfo response, and whether the user is
 * still active. Gatehouse calls it at every token issuance (code exchange,
 * refresh, extension grants), at userinfo, and when an existing session
 * would answer an authorization request. An inactive user gets no new
 * tokens: the grant answers invalid_grant, userinfo 401 invalid_token, and
 * the authorize endpoint asks for a new login.
 */
import type { Client, User } from '../model/types.js';
import type { ClaimsMember } from '../model/claims-request.js';
import { PROTECTED_CLAIMS } from '../tokens/user-claims.js';

/** Who asks for profile data. */
export type ProfileCaller = 'id_token' | 'userinfo' | 'access_token' | 'introspection' | (string & {});

/** Who asks whether a user is active (IdentityServer's ProfileIsActiveCallers). */
export type IsActiveCaller = 'authorize_endpoint' | 'authorization_code' | 'refresh_token' | 'password' | 'extension_grant' | 'userinfo' | (string & {});

export interface ProfileDataRequest {
  /** The subject identifier (`sub`). */
  subject: string;
  /** The user as the user store returns it; undefined when the store does not know the subject. */
  user: User | undefined;
  client: Client;
  caller: ProfileCaller;
  /**
   * The claim types to issue: those the granted scopes release (identity
   * resources' or API scopes' and resources' userClaims) and those the
   * `claims` request parameter asks for (OIDC Core §5.5).
   */
  requestedClaimTypes: ReadonlySet<string>;
  /** The granted scopes. */
  scopes: readonly string[];
  /** OIDC Core §5.5: the claims parameter's member for this target (essential, value, values), when the client sent one. */
  claimsRequest?: ClaimsMember;
  /** OIDC Core §5.2: `claims_locales` of the authorization request (a space-separated list of BCP47 tags), when sent. */
  claimsLocales?: string;
}

export interface IsActiveRequest {
  subject: string;
  user: User | undefined;
  client: Client;
  caller: IsActiveCaller;
}

/**
 * Claims and activity of users.
 *
 * @example
 * const profileService: ProfileService = {
 *   async getProfileData({ user, requestedClaimTypes, caller }) {
 *     const claims = defaultProfileService.getProfileData({ user, requestedClaimTypes });
 *     if (caller !== 'access_token') claims.department = departmentOf(user?.subjectId);
 *     return claims;
 *   },
 *   isActive: ({ user }) => user?.isActive === true && !isSuspended(user.subjectId),
 * };
 */
export interface ProfileService {
  /**
   * The claims to issue. Any claim may be returned (also ones not requested);
   * protocol claims (`sub`, `iss`, `aud`, `exp`, `scope`, ...) are dropped.
   */
  getProfileData(request: ProfileDataRequest): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** False stops the user getting tokens, userinfo and SSO. */
  isActive(request: IsActiveRequest): boolean | Promise<boolean>;
}

/**
 * Today's behaviour: the user store's claims that the scopes release, and the
 * user store's isActive.
 */
export const defaultProfileService = {
  getProfileData({ user, requestedClaimTypes }: Pick<ProfileDataRequest, 'user' | 'requestedClaimTypes'>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (!user) return out;
    for (const type of requestedClaimTypes) {
      if (PROTECTED_CLAIMS.has(type) || !Object.hasOwn(user.claims, type)) continue;
      const value = user.claims[type];
      if (value !== undefined && value !== null) out[type] = value;
    }
    return out;
  },
  isActive: ({ user }: Pick<IsActiveRequest, 'user'>): boolean => user?.isActive === true,
} satisfies ProfileService;

/** The claims a profile service returned, without protocol claims and empty values. */
export function withoutProtocolClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [type, value] of Object.entries(claims)) {
    if (!PROTECTED_CLAIMS.has(type) && value !== undefined && value !== null) out[type] = value;
  }
  return out;
}
