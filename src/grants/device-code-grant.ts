/**
 * The device authorization grant at the token endpoint (RFC 8628 §3.4, §3.5):
 * the device polls with its device code until the user has approved or
 * denied on the verification page, the code expired, or it was redeemed.
 */
import { randomUUID } from 'node:crypto';
import type { GrantHandler, ProviderContext } from '../context.js';
import { AuthorizationPending, ExpiredToken, InvalidGrant, OAuthError, SlowDown } from '../errors.js';
import { required } from '../core/params.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { DeviceCodeRecord } from '../stores/typed/index.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { handleId } from '../tokens/handles.js';
import { absoluteRefreshExpiry, activeUser, issuedJwt, issueRefreshToken, issueUserTokens, userTokenResponse } from '../tokens/token-service.js';
import { profileClaims } from '../tokens/user-claims.js';

/** RFC 8628 §3.4: the grant type the device polls with. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.5: access_denied at the token endpoint is an RFC 6749 §5.2 error response: 400. */
class DeviceAccessDenied extends OAuthError {
  readonly error = 'access_denied' as const;
}

/** RFC 8628 §3.5 slow_down: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_STEP = 5;

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
  if (rec.consumedAt !== undefined) throw new InvalidGrant('device code has already been used');
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
    const grantId = randomUUID();
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
    });
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
          issuedJwt: issuedJwt(tokens, client),
        },
      });
    }
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: DEVICE_CODE_GRANT });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
