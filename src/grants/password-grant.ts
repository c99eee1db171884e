/**
 * RFC 6749 §4.3: the resource owner password credentials grant. Legacy and
 * insecure (RFC 9700 §2.4: it "MUST NOT be used"): off unless a client lists
 * `password` in allowedGrantTypes, and then startup warns
 * (config/insecure-settings.ts). docs/password-grant.md.
 *
 * The tokens carry no session: no `sid`, and a refresh of them has no browser
 * session to follow (coordinateLifetimeWithUserSession does not apply; the
 * refresh token lives by its own lifetimes). amr is `["pwd"]` (RFC 8176 §2)
 * unless a host's validator says otherwise.
 */
import { randomUUID } from 'node:crypto';
import { dpopConfirmation, refreshTokenJkt } from '../proof/token-binding.js';
import type { GrantHandler } from '../context.js';
import { required, single, spaceList } from '../core/params.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { withoutProtocolClaims } from '../extensions/profile-service.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import {
  absoluteRefreshExpiry,
  activeUser,
  issuedJwt,
  issuedReferenceId,
  issueRefreshToken,
  issueUserTokens,
  userTokenResponse,
} from '../tokens/token-service.js';
import { profileClaims } from '../tokens/user-claims.js';
import { checkPassword } from './password-check.js';

/** Limits of the credentials (the login page's: 256 for the username, 1024 for the password). */
const USERNAME_LIMIT = 256;
const PASSWORD_LIMIT = 1024;

/** RFC 6749 §3.3: no scope requested means the client's default, all the scopes it may request (IdentityServer's rule). */
function requestedScopes(client: Client, scope: string | undefined): string[] {
  const requested = spaceList(scope);
  return requested.length ? requested : [...client.allowedScopes];
}

export const passwordGrant: GrantHandler = {
  grantType: 'password',
  parameters: ['username', 'password', 'scope', 'resource'],
  // RFC 6749 §4.3.2: a confidential client (or one issued credentials) MUST authenticate, which the token
  // endpoint enforces for every grant; a public client is identified by its client_id alone (§2.1, §3.2.1).
  async handle(req, client, ctx) {
    // RFC 6749 §4.3.2: username and password are REQUIRED.
    const username = required(req.body, 'username', USERNAME_LIMIT);
    const password = required(req.body, 'password', PASSWORD_LIMIT);
    // Scopes before the password: a malformed request spends no hash and no lockout attempt.
    const granted = validateScopes(ctx.resources, client, {
      requested: requestedScopes(client, single(req.body, 'scope')),
      resourceIndicators: req.body.get('resource') ?? [],
    });
    const checked = await checkPassword(ctx, { username, password, client, address: req.ip, requestId: req.requestId });
    const user = await activeUser(ctx, checked.subjectId, client, 'password');
    const withRefresh = granted.offlineAccess && client.allowOfflineAccess && client.grantTypeSet.has('refresh_token');
    const scopes = withRefresh ? granted.scopes : granted.scopes.filter((s) => s !== 'offline_access');
    const audiences = granted.resources.map((r) => r.name);
    const fromProfile = await profileClaims(ctx, { subjectId: user.subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences });
    // Claims the host's validator returned go into the access token besides the profile's (protocol claims dropped).
    const grantClaims = checked.claims ? { ...fromProfile, ...withoutProtocolClaims(checked.claims) } : fromProfile;
    let accessTokenClaims = grantClaims;
    let accessTokenLifetime: number | undefined;
    if (ctx.extensions.tokenRequestValidator) {
      ({ accessTokenClaims, accessTokenLifetime } = await runTokenRequestValidator(ctx, {
        grantType: 'password',
        client,
        subjectId: user.subjectId,
        scopes,
        body: req.body,
        accessTokenClaims,
      }));
    }
    const now = ctx.clock.now();
    // RFC 8176 §2: "pwd", password-based authentication.
    const amr = checked.amr?.length ? checked.amr : ['pwd'];
    const grantId = randomUUID();
    const tokens = await issueUserTokens(ctx, {
      client,
      user,
      scopes,
      audiences,
      accessTokenClaims,
      accessTokenLifetime,
      grantId,
      authTime: now,
      amr,
      cnf: dpopConfirmation(req), // RFC 9449 §5
    });
    // A new grant: no session id, so a refresh follows no browser session (refresh-token-grant.ts, requireBoundSession).
    const refreshToken = withRefresh
      ? await issueRefreshToken(ctx, {
          client,
          subjectId: user.subjectId,
          grantId,
          payload: {
            scopes,
            audiences,
            absoluteExpiresAt: absoluteRefreshExpiry(client, now),
            authTime: now,
            amr,
            accessTokenClaims: grantClaims,
            issuedJwt: issuedJwt(tokens, client),
            issuedReferenceId: issuedReferenceId(tokens, client),
            dpopJkt: refreshTokenJkt(client, req),
          },
        })
      : undefined;
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: 'password' });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
