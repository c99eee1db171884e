/**
 * OpenID Connect CIBA Core 1.0 §10.1: the CIBA grant
 * (`urn:openid:params:grant-type:ciba`). The client redeems the auth_req_id
 * of its backchannel authentication request (endpoints/backchannel-authentication-endpoint.ts)
 * once the user approved it; until then it polls (poll mode, or ping mode
 * after the notification). Token errors: §11.
 */
import { randomUUID } from 'node:crypto';
import { dpopConfirmation, refreshTokenJkt } from '../proof/token-binding.js';
import type { GrantHandler, ProviderContext } from '../context.js';
import { AuthorizationPending, ExpiredToken, InvalidGrant, OAuthError, SlowDown } from '../errors.js';
import { required } from '../core/params.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import { CIBA_GRANT_TYPE } from '../config/ciba-checks.js';
import type { CibaRequestRecord } from '../stores/typed/index.js';
import { handleId } from '../tokens/handles.js';
import { profileClaims } from '../tokens/user-claims.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { absoluteRefreshExpiry, activeUser, issuedJwt, issueRefreshToken, issueUserTokens, userTokenResponse } from '../tokens/token-service.js';

/**
 * §11 access_denied at the token endpoint: a 400 like every token error
 * (RFC 6749 §5.2), not the 403 the authorization-style AccessDenied carries.
 */
class TokenAccessDenied extends OAuthError {
  readonly error = 'access_denied' as const;
}

/** Seconds added to the interval on each slow_down (§11: "MUST be increased by at least 5 seconds"). */
const SLOW_DOWN_STEP = 5;

/** The request, issued to this client, not redeemed, not expired; invalid_grant / expired_token otherwise. */
async function findRequest(ctx: ProviderContext, authReqId: string, client: Client): Promise<CibaRequestRecord> {
  const rec = await ctx.stores.cibaRequests.find(handleId(authReqId));
  // §11 invalid_grant: unknown, another client's (RFC 6749 §5.2 "issued to another client"), or already used.
  if (!rec) throw new InvalidGrant('auth_req_id is invalid');
  if (rec.clientId !== client.clientId) throw new InvalidGrant('auth_req_id was issued to another client');
  if (rec.consumedAt !== undefined) throw new InvalidGrant('auth_req_id has already been used');
  if (rec.expiresAt <= ctx.clock.now()) throw new ExpiredToken('auth_req_id has expired');
  return rec;
}

/** No decision yet: authorization_pending, or slow_down (interval + 5 s from now on) when polled within the interval. */
async function stillPending(ctx: ProviderContext, rec: CibaRequestRecord): Promise<never> {
  const store = ctx.stores.cibaRequests;
  const now = ctx.clock.now();
  const poll = await store.findPoll(rec.id);
  const interval = poll?.interval ?? rec.payload.interval;
  if (poll && now - poll.lastPolledAt < interval) {
    await store.putPoll(rec, { type: 'poll', lastPolledAt: now, interval: interval + SLOW_DOWN_STEP });
    throw new SlowDown(`polled faster than the interval; wait at least ${interval + SLOW_DOWN_STEP} seconds between polls`);
  }
  await store.putPoll(rec, { type: 'poll', lastPolledAt: now, interval });
  throw new AuthorizationPending('the user has not yet approved the request');
}

export const cibaGrant: GrantHandler = {
  grantType: CIBA_GRANT_TYPE,
  parameters: ['auth_req_id'],
  // CIBA §7.1: confidential clients only (the token endpoint refuses `none` and public clients).
  requiresConfidentialClient: true,
  async handle(req, client, ctx) {
    const authReqId = required(req.body, 'auth_req_id', 512);
    const rec = await findRequest(ctx, authReqId, client);
    const decision = await ctx.stores.cibaRequests.findDecision(rec.id);
    if (!decision) return stillPending(ctx, rec);
    // Single use: of concurrent redemptions exactly one wins; a denial is spent too.
    const consumed = await ctx.stores.cibaRequests.consume(rec.id, ctx.clock.now());
    if (!consumed) throw new InvalidGrant('auth_req_id has already been used');
    if (!decision.approved) throw new TokenAccessDenied('the user denied the request');

    const user = await activeUser(ctx, rec.subjectId, client, 'ciba');
    const p = rec.payload;
    const grant = validateScopes(ctx.resources, client, { requested: p.scopes, resourceIndicators: p.resourceIndicators });
    const withRefresh = grant.offlineAccess && client.allowOfflineAccess && client.grantTypeSet.has('refresh_token');
    const scopes = withRefresh ? grant.scopes : grant.scopes.filter((s) => s !== 'offline_access');
    const audiences = grant.resources.map((r) => r.name);
    let accessTokenClaims = await profileClaims(ctx, { subjectId: user.subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences });
    let accessTokenLifetime: number | undefined;
    if (ctx.extensions.tokenRequestValidator) {
      ({ accessTokenClaims, accessTokenLifetime } = await runTokenRequestValidator(ctx, {
        grantType: CIBA_GRANT_TYPE,
        client,
        subjectId: user.subjectId,
        scopes,
        body: req.body,
        accessTokenClaims,
      }));
    }
    const grantId = randomUUID();
    // The user authenticated in the session that approved (its auth_time, amr and acr).
    const authTime = decision.authTime ?? decision.decidedAt;
    const tokens = await issueUserTokens(ctx, {
      client,
      user,
      scopes,
      audiences,
      grantId,
      accessTokenClaims,
      accessTokenLifetime,
      authTime,
      acr: decision.acr,
      amr: decision.amr,
      cnf: dpopConfirmation(req), // RFC 9449 §5
    });
    const refreshToken = withRefresh
      ? await issueRefreshToken(ctx, {
          client,
          subjectId: user.subjectId,
          grantId,
          payload: {
            scopes,
            audiences,
            absoluteExpiresAt: absoluteRefreshExpiry(client, ctx.clock.now()),
            authTime,
            acr: decision.acr,
            amr: decision.amr,
            accessTokenClaims,
            issuedJwt: issuedJwt(tokens, client),
            dpopJkt: refreshTokenJkt(client, req),
          },
        })
      : undefined;
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: CIBA_GRANT_TYPE });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
