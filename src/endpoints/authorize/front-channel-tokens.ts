/**
 * The tokens of an implicit or hybrid authorization response (OIDC Core
 * §3.2.2.5, §3.3.2.5): an access token through the token service, and an ID
 * token with at_hash, c_hash and s_hash. Never a refresh token (OIDC Core
 * §11: offline_access only through the code).
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../../context.js';
import { frontChannelAccessTokenJti } from '../../grants/authorization-code-grant.js';
import type { Client, User } from '../../model/types.js';
import { validateScopes } from '../../model/validate-scopes.js';
import type { AuthorizationRequest } from '../../model/authorization-request.js';
import { issueIdToken } from '../../tokens/id-token.js';
import { issueAccessToken } from '../../tokens/token-service.js';
import { profileClaims } from '../../tokens/user-claims.js';
import { returnsAccessToken, returnsIdToken, type ResponseType } from './response-types.js';
import { requestedClaimTypes, type ClaimsRequest } from '../../tokens/claims-request.js';

export interface FrontChannelInput {
  client: Client;
  request: AuthorizationRequest;
  responseType: ResponseType;
  /** The user of the session; a subject the user store does not know (a host's profile service) has empty claims. */
  subjectId: string;
  user: User | undefined;
  /** Granted scopes (after consent). */
  scopes: readonly string[];
  sessionId?: string;
  authTime: number;
  acr?: string;
  amr?: readonly string[];
  /**
   * The code of a hybrid response: adds c_hash; its grant id becomes the
   * access token's, and the token's jti is derived from the code's record, so
   * a replayed code revokes this token too (authorization-code-grant.ts).
   */
  code?: { value: string; grantId?: string; recordId: string };
  /** OIDC Core §5.5: the claims request this grant may release (tokens/claims-request.ts releasableClaims). */
  claims?: ClaimsRequest;
  /** OIDC Core §5.2 claims_locales, for the profile service. */
  claimsLocales?: string;
}

/**
 * The authorization response parameters the response type asks for beside
 * `code`: `access_token`, `token_type`, `expires_in`, `scope` and `id_token`.
 */
export async function frontChannelTokens(ctx: ProviderContext, input: FrontChannelInput): Promise<Record<string, string>> {
  const { client, request, responseType } = input;
  const user: User = input.user ?? { subjectId: input.subjectId, username: '', isActive: true, claims: {} };
  const out: Record<string, string> = {};
  // offline_access names the refresh token of the code, never a token of this response.
  const scopes = input.scopes.filter((s) => s !== 'offline_access');
  let accessToken: string | undefined;
  if (returnsAccessToken(responseType)) {
    const granted = validateScopes(ctx.resources, client, { requested: scopes, resourceIndicators: request.resourceIndicators });
    const audiences = granted.resources.map((r) => r.name);
    const claims = await profileClaims(ctx, { subjectId: user.subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences });
    const issued = await issueAccessToken(ctx, {
      client,
      subjectId: user.subjectId,
      scopes,
      audiences,
      claims,
      sessionId: input.sessionId,
      authTime: input.authTime,
      acr: input.acr,
      amr: input.amr ? [...input.amr] : undefined,
      grantId: input.code?.grantId ?? randomUUID(),
      jti: input.code && frontChannelAccessTokenJti(input.code.recordId),
      // OIDC Core §5.5: the userinfo member travels with the access token to the userinfo endpoint.
      userinfoClaims: scopes.includes('openid') ? input.claims?.userinfo : undefined,
      claimsLocales: scopes.includes('openid') ? input.claimsLocales : undefined,
    });
    accessToken = issued.accessToken;
    // OIDC Core §3.2.2.5 / RFC 6749 §4.2.2.
    Object.assign(out, { access_token: issued.accessToken, token_type: 'Bearer', expires_in: String(issued.expiresIn), scope: scopes.join(' ') });
  }
  if (returnsIdToken(responseType)) {
    // OIDC Core §5.4: with response_type=id_token no access token is issued, so the scopes' claims go in the ID token.
    const scopeClaims = responseType === 'id_token' || client.alwaysIncludeUserClaimsInIdToken;
    // OIDC Core §5.5: claims the claims parameter asks for in the ID token go there too.
    const idTokenClaims = requestedClaimTypes(input.claims?.id_token).length ? input.claims?.id_token : undefined;
    const includeUserClaims = scopeClaims || idTokenClaims !== undefined;
    const userClaims = includeUserClaims
      ? await profileClaims(ctx, {
          subjectId: user.subjectId,
          user,
          client,
          caller: 'id_token',
          scopes,
          target: 'identity',
          scopeClaims,
          claimsRequest: idTokenClaims,
          claimsLocales: input.claimsLocales,
        })
      : undefined;
    out.id_token = await issueIdToken(ctx, {
      client,
      user,
      nonce: request.nonce,
      authTime: input.authTime,
      sessionId: input.sessionId,
      amr: input.amr,
      acr: input.acr,
      // OIDC Core §3.2.2.10 / §3.3.2.11: at_hash with an access token, c_hash with a code.
      accessToken,
      code: input.code?.value,
      state: request.state,
      scopes,
      includeUserClaims,
      userClaims,
    });
  }
  return out;
}
