/**
 * The device authorization grant at the token endpoint (RFC 8628 §3.4, §3.5):
 * the device polls with its device code until the user has approved or
 * denied on the verification page, the code expired, or it was redeemed.
 */
import type { GrantHandler, ProviderContext } from '../context.js';
import { AuthorizationPending, ExpiredToken, InvalidGrant, OAuthError, SlowDown } from '../errors.js';
import { required } from '../core/params.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { DeviceCodeRecord } from '../stores/typed/index.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { handleId } from '../tokens/handles.js';
import { derivedJti, grantRevokedMeanwhile, markGrantRevoked, revokeJwtAccessToken } from '../tokens/grant-revocation.js';
import { absoluteRefreshExpiry, activeUser, issuedJwt, issueRefreshToken, issueUserTokens, userTokenResponse } from '../tokens/token-service.js';
import { profileClaims } from '../tokens/user-claims.js';
import { dpopConfirmation, refreshTokenJkt } from '../proof/token-binding.js';

/** RFC 8628 §3.4: the grant type the device polls with. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.5: access_denied at the token endpoint is an RFC 6749 §5.2 error response: 400. */
class DeviceAccessDenied extends OAuthError {
  readonly error = 'access_denied' as const;
}

/** RFC 8628 §3.5 slow_down: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_STEP = 5;

/**
 * The grant family and access token jti of a redemption, derived from the
 * device code's record: a replay knows what to revoke without a stored link.
 */
const grantIdOf = (rec: DeviceCodeRecord) => `device:${derivedJti('device_code_grant', rec.id)}`;
const accessTokenJtiOf = (rec: DeviceCodeRecord) => derivedJti('device_code', rec.id);

/**
 * A redeemed device code presented again: like a replayed authorization code
 * (RFC 6749 §4.1.2, §10.5), what its redemption issued is revoked: the grant
 * family (refresh tokens) and the JWT access token.
 */
async function revokeReplayed(ctx: ProviderContext, rec: DeviceCodeRecord, client: Client): Promise<void> {
  const grantId = grantIdOf(rec);
  await markGrantRevoked(ctx, grantId);
  await revokeJwtAccessToken(ctx, accessTokenJtiOf(rec), (rec.consumedAt ?? ctx.clock.now()) + client.accessTokenLifetime, rec.clientId);
  await ctx.stores.grants.deleteFamily(grantId);
  ctx.logger.warn({ clientId: rec.clientId }, 'device code replayed; grant revoked');
  ctx.events({ type: 'grant_revoked', reason: 'device_code_replayed', clientId: rec.clientId, subjectId: rec.subjectId, grantId });
}

/**
 * A pending authorization: authorization_pending, or slow_down when the device
 * polled again sooner than the interval in force (which then grows by 5 s).
 * The polling state is its own record, written only here.
 */
async function pending(ctx: ProviderContext, rec: DeviceCodeRecord): Promise<never> {
  const store = ctx.stores.deviceCodes;
  const now = ctx.clock.now();
  const last = await store.pollState(rec.id);
  const interval = last?.payload.interval ?? rec.payload.interval;
  const tooSoon = last !== undefined && now - last.payload.lastPolledAt < interval;
  const next = tooSoon ? interval + SLOW_DOWN_STEP : interval;
  await store.putPollState({
    kind: 'device_poll',
    id: rec.id,
    clientId: rec.clientId,
    createdAt: last?.createdAt ?? now,
    expiresAt: rec.expiresAt,
    payload: { lastPolledAt: now, interval: next },
  });
  if (tooSoon) throw new SlowDown(`polling too fast: wait at least ${next} seconds between requests`);
  throw new AuthorizationPending('the user has not yet approved the request');
}

/** The device code's record once approved and redeemed by this request; every other state is its RFC 8628 §3.5 error. */
async function redeem(ctx: ProviderContext, deviceCode: string, client: Client): Promise<DeviceCodeRecord> {
  const store = ctx.stores.deviceCodes;
  const id = handleId(deviceCode);
  const rec = await store.find(id);
  if (!rec) throw new InvalidGrant('device code is invalid');
  // RFC 8628 §3.4 / RFC 6749 §5.2: a code issued to another client is invalid_grant.
  if (rec.clientId !== client.clientId) throw new InvalidGrant('device code was issued to another client');
  if (rec.consumedAt !== undefined) {
    await revokeReplayed(ctx, rec, client);
    throw new InvalidGrant('device code has already been used');
  }
  if (rec.expiresAt <= ctx.clock.now()) throw new ExpiredToken('the device code has expired; start a new device authorization request');
  const decision = rec.payload.decision;
  if (!decision) return pending(ctx, rec);
  if (!decision.approved) throw new DeviceAccessDenied('the user denied the request');
  // Single use is atomic: of concurrent redemptions exactly one gets the record.
  const won = await store.consume(id, ctx.clock.now());
  if (!won) throw new InvalidGrant('device code has already been used');
  return won;
}

export const deviceCodeGrant: GrantHandler = {
  grantType: DEVICE_CODE_GRANT,
  parameters: ['device_code'],
  async handle(req, client, ctx) {
    const rec = await redeem(ctx, required(req.body, 'device_code', 512), client);
    const decision = rec.payload.decision;
    if (!decision?.approved) throw new InvalidGrant('device code is not approved');
    const user = await activeUser(ctx, rec.subjectId, client, 'device_code');
    const grant = validateScopes(ctx.resources, client, { requested: decision.scopes, resourceIndicators: rec.payload.resourceIndicators });
    const withRefresh = grant.offlineAccess && client.allowOfflineAccess && client.grantTypeSet.has('refresh_token');
    const scopes = withRefresh ? grant.scopes : grant.scopes.filter((s) => s !== 'offline_access');
    const audiences = grant.resources.map((r) => r.name);
    const grantId = grantIdOf(rec);
    const grantClaims = await profileClaims(ctx, { subjectId: user.subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences });
    let accessTokenClaims = grantClaims;
    let accessTokenLifetime: number | undefined;
    if (ctx.extensions.tokenRequestValidator) {
      ({ accessTokenClaims, accessTokenLifetime } = await runTokenRequestValidator(ctx, {
        grantType: DEVICE_CODE_GRANT,
        client,
        subjectId: user.subjectId,
        scopes,
        body: req.body,
        accessTokenClaims,
      }));
    }
    // The device is not part of the browser's session: its tokens carry no sid and outlive a sign-out in the browser.
    const tokens = await issueUserTokens(ctx, {
      client,
      user,
      scopes,
      audiences,
      grantId,
      accessTokenClaims,
      accessTokenLifetime,
      authTime: decision.authTime,
      acr: decision.acr,
      amr: decision.amr,
      jti: accessTokenJtiOf(rec),
      cnf: dpopConfirmation(req), // RFC 9449 §5
    });
    const jwt = issuedJwt(tokens, client);
    let refreshToken: string | undefined;
    if (withRefresh) {
      refreshToken = await issueRefreshToken(ctx, {
        client,
        subjectId: user.subjectId,
        grantId,
        payload: {
          scopes,
          audiences,
          absoluteExpiresAt: absoluteRefreshExpiry(client, ctx.clock.now()),
          authTime: decision.authTime,
          acr: decision.acr,
          amr: decision.amr,
          accessTokenClaims: grantClaims,
          issuedJwt: jwt,
          // RFC 9449 §5: the device client is public, so its refresh token is bound to the proof key.
          dpopJkt: refreshTokenJkt(client, req),
        },
      });
    }
    // A replay that revoked the grant while these tokens were issued revokes them too.
    await grantRevokedMeanwhile(ctx, grantId, jwt, client.clientId);
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: DEVICE_CODE_GRANT });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
