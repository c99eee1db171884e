/** RFC 6749 §6 / OIDC Core §12: the refresh token grant, with rotation and reuse detection (RFC 9700 §4.14.2). */
import type { GrantHandler, ProviderContext } from '../context.js';
import { InvalidGrant, InvalidScope, InvalidTarget, UnauthorizedClient } from '../errors.js';
import { required, single, spaceList } from '../core/params.js';
import type { Client, Resources } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { StoredRecord } from '../stores/types.js';
import { handleId } from '../tokens/handles.js';
import { issueRefreshToken, refreshTokenExpiresAt } from '../tokens/refresh-token.js';
import type { RefreshTokenPayload } from '../tokens/refresh-token-record.js';
import { claimsForScopes, profileClaims } from '../tokens/user-claims.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { requireBoundSession } from '../sessions/session-bound-tokens.js';
import { dpopConfirmation, refreshTokenCertificate, refreshTokenJkt, requireBoundCertificate, requireBoundKey } from '../proof/token-binding.js';
import { grantRevokedMeanwhile, markGrantRevoked, revokeIssuedJwts, revokeJwtAccessToken } from '../tokens/grant-revocation.js';
import { activeUser, issuedJwt, issuedReferenceId, issueUserTokens, userTokenResponse } from '../tokens/token-service.js';

type RefreshRecord = StoredRecord<RefreshTokenPayload>;

/**
 * RFC 9700 §4.14.2: a rotated-out refresh token used again means one of its two
 * holders is an attacker: revoke the whole family, and the JWT access tokens
 * its rotations issued.
 */
async function revokeFamily(ctx: ProviderContext, rec: RefreshRecord): Promise<void> {
  if (rec.grantId && rec.subjectId && rec.clientId) {
    await markGrantRevoked(ctx, rec.grantId);
    // Read after marking: a racing rotation has stored its token by now, or sees the marker and revokes what it issued.
    await revokeIssuedJwts(ctx, rec.subjectId, rec.clientId, rec.grantId);
    await ctx.stores.grants.deleteFamily(rec.grantId);
  } else {
    if (rec.payload.issuedJwt) await revokeJwtAccessToken(ctx, rec.payload.issuedJwt.jti, rec.payload.issuedJwt.exp, rec.clientId);
    await ctx.stores.refreshTokens.delete(rec.id);
  }
  ctx.logger.warn({ clientId: rec.clientId, grantId: rec.grantId }, 'refresh token reused; token family revoked');
  ctx.events({ type: 'refresh_token_reused', clientId: rec.clientId, subjectId: rec.subjectId });
  ctx.events({ type: 'grant_revoked', reason: 'refresh_token_reused', clientId: rec.clientId, subjectId: rec.subjectId, grantId: rec.grantId });
}

/** RFC 6749 §6: the requested scope must not exceed the original; absent means the original. */
function narrowScopes(requested: readonly string[], original: readonly string[]): string[] {
  if (!requested.length) return [...original];
  const extra = requested.find((s) => !original.includes(s));
  if (extra !== undefined) throw new InvalidScope(`scope ${extra.slice(0, 100)} exceeds the scope originally granted`);
  return [...requested];
}

/** RFC 8707 §2.2: resource at refresh picks among the grant's audiences; absent means all the scopes still reach. */
function refreshAudiences(resources: Resources, client: Client, scopes: string[], requested: readonly string[], granted: readonly string[]): string[] {
  if (requested.length) {
    const outside = requested.find((r) => !granted.includes(r));
    if (outside !== undefined) throw new InvalidTarget(`resource ${outside.slice(0, 100)} was not part of the original grant`);
    return validateScopes(resources, client, { requested: scopes, resourceIndicators: requested }).resources.map((r) => r.name);
  }
  const { apiScopes } = validateScopes(resources, client, { requested: scopes });
  const reached = new Set(apiScopes.flatMap((s) => (resources.resourcesByScope.get(s) ?? []).filter((r) => r.enabled).map((r) => r.name)));
  return granted.filter((name) => reached.has(name));
}

/**
 * What a refresh request spends: the presented token itself, or, for a retry
 * within the client's refreshTokenRetryWindow, the unused successor that the
 * lost rotation stored.
 */
interface Presented {
  rec: RefreshRecord;
  /** The record to consume: `rec`, or its successor on a retry. */
  spend: RefreshRecord;
  retry: boolean;
}

/**
 * A rotated-out token presented again by the client it was issued to, within
 * the client's retry window after its rotation: the response of that rotation
 * was lost (a node died, a connection dropped). The client authenticated
 * (RFC 6749 §10.4, RFC 9700 §4.14.2: a confidential client's refresh tokens are
 * bound to its credentials), so while the successor is unused the retry gets a
 * fresh pair in its place. Otherwise it is reuse.
 */
async function unusedSuccessor(ctx: ProviderContext, found: RefreshRecord, client: Client): Promise<RefreshRecord | undefined> {
  const window = client.refreshTokenRetryWindow;
  if (window <= 0 || found.consumedAt === undefined || ctx.clock.now() - found.consumedAt > window) return undefined;
  const successors = await ctx.stores.refreshTokens.successorsOf(found);
  // Retries before this one spent the older successors; the one left unspent is the live token.
  return successors.find((r) => r.consumedAt === undefined && r.expiresAt > ctx.clock.now());
}

/** Finds and checks the presented token (no state change but a reuse's revocation); invalid_grant for every failure. */
async function findRefreshToken(ctx: ProviderContext, token: string, client: Client): Promise<Presented> {
  const found = await ctx.stores.refreshTokens.find(handleId(token));
  if (!found) throw new InvalidGrant('refresh token is invalid or expired');
  // RFC 6749 §6: the refresh token must have been issued to the authenticated client.
  if (found.clientId !== client.clientId) throw new InvalidGrant('refresh token was issued to another client');
  if (found.consumedAt !== undefined) {
    const successor = await unusedSuccessor(ctx, found, client);
    if (successor) return { rec: found, spend: successor, retry: true };
    await revokeFamily(ctx, found);
    throw new InvalidGrant('refresh token has already been used');
  }
  if (found.expiresAt <= ctx.clock.now()) throw new InvalidGrant('refresh token is invalid or expired');
  return { rec: found, spend: found, retry: false };
}

/** The access token issued with a successor spent by a retry dies with it (the lost response carried it). */
async function revokeSpentSuccessor(ctx: ProviderContext, successor: RefreshRecord): Promise<void> {
  const { issuedJwt: jwt, issuedReferenceId } = successor.payload;
  if (jwt) await revokeJwtAccessToken(ctx, jwt.jti, jwt.exp, successor.clientId);
  if (issuedReferenceId) await ctx.stores.referenceTokens.delete(issuedReferenceId);
}

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  parameters: ['refresh_token', 'scope', 'resource'],
  async handle(req, client, ctx) {
    const token = required(req.body, 'refresh_token', 512);
    const requested = spaceList(single(req.body, 'scope'));
    if (!client.allowOfflineAccess) throw new UnauthorizedClient('offline access is not allowed for this client');
    const { rec, spend, retry } = await findRefreshToken(ctx, token, client);
    // RFC 9449 §5: a bound refresh token (public clients) is used only with a proof of its key; before any state changes.
    requireBoundKey(rec.payload.dpopJkt, req, 'refresh token');
    // RFC 8705 §4: likewise a public client's certificate-bound refresh token needs that certificate.
    requireBoundCertificate(rec.payload.certificateThumbprint, req);
    await requireBoundSession(ctx, client, rec.sessionId);
    const p = rec.payload;
    const scopes = narrowScopes(requested, p.scopes);
    const audiences = refreshAudiences(ctx.resources, client, scopes, req.body.get('resource') ?? [], p.audiences);
    const user = await activeUser(ctx, rec.subjectId, client, 'refresh_token');
    const refreshTokens = ctx.stores.refreshTokens;
    const now = ctx.clock.now();
    // Only the claims the original grant released, unless the client asks for fresh ones.
    const grantClaims = client.updateAccessTokenClaimsOnRefresh
      ? await profileClaims(ctx, {
          subjectId: user.subjectId,
          user,
          client,
          caller: 'access_token',
          scopes: p.scopes,
          target: 'access',
          audiences: p.audiences,
        })
      : (p.accessTokenClaims ?? {});
    // The claims stay as the grant released them (a host profile's or an extension grant's extra
    // claims belong to no scope), unless scopes or audiences were narrowed.
    const narrowed = scopes.length !== p.scopes.length || audiences.length !== p.audiences.length;
    let accessTokenClaims = narrowed ? claimsForScopes(ctx.resources, grantClaims, scopes, 'access', audiences) : grantClaims;
    let accessTokenLifetime: number | undefined;
    // Before the token is rotated: a refusal leaves the refresh token usable.
    if (ctx.extensions.tokenRequestValidator) {
      ({ accessTokenClaims, accessTokenLifetime } = await runTokenRequestValidator(ctx, {
        grantType: 'refresh_token',
        client,
        subjectId: user.subjectId,
        scopes,
        body: req.body,
        accessTokenClaims,
      }));
    }
    const oneTime = client.refreshTokenUsage === 'oneTimeOnly';
    const grantId = rec.grantId ?? rec.id;
    // Rotation is atomic: of concurrent uses exactly one wins. A use that read the token at the
    // same moment as the winner is refused without revoking the family; any later use of the
    // token finds it consumed and revokes the family (findRefreshToken), so reuse is still detected.
    // A retry spends the successor the lost rotation stored, with the same guarantee.
    const consumed = oneTime ? await refreshTokens.consume(spend.id, now) : rec;
    if (!consumed) {
      ctx.logger.warn({ clientId: client.clientId, grantId }, 'refresh token used concurrently; the later request refused');
      ctx.events({ type: 'refresh_token_race', clientId: client.clientId, subjectId: rec.subjectId });
      throw new InvalidGrant('refresh token has already been used');
    }
    if (retry) {
      await revokeSpentSuccessor(ctx, consumed);
      ctx.logger.info({ clientId: client.clientId, grantId }, 'rotated-out refresh token retried within the retry window; its unused successor replaced');
    }
    const tokens = await issueUserTokens(ctx, {
      client,
      user,
      scopes,
      audiences,
      accessTokenClaims,
      accessTokenLifetime,
      grantId,
      sessionId: rec.sessionId,
      // OIDC Core §12.2: auth_time of the original authentication; no nonce.
      authTime: p.authTime ?? rec.createdAt,
      acr: p.acr,
      amr: p.amr,
      cnf: dpopConfirmation(req),
      claims: p.claims,
      claimsLocales: p.claimsLocales,
    });
    const { issuedJwt: _j, issuedReferenceId: _r, predecessorId: _p, ...carried } = p;
    let refreshToken = token;
    if (oneTime) {
      // RFC 6749 §6: the new refresh token keeps the original scope; same family, same absolute end.
      // It records the access token issued with it: one write per rotation besides the consume.
      const jwt = issuedJwt(tokens, client);
      refreshToken = await issueRefreshToken(ctx, {
        client,
        subjectId: user.subjectId,
        sessionId: rec.sessionId,
        grantId,
        // The presented token's id, also on a retry: a further retry of it finds this token.
        payload: {
          ...carried,
          accessTokenClaims: grantClaims,
          issuedJwt: jwt,
          issuedReferenceId: issuedReferenceId(tokens, client),
          predecessorId: rec.id,
          // RFC 9449 §5: stays bound to its key; an unbound public client's token becomes bound by its first proof.
          dpopJkt: p.dpopJkt ?? refreshTokenJkt(client, req),
          certificateThumbprint: p.certificateThumbprint ?? refreshTokenCertificate(client, req),
        },
      });
      await grantRevokedMeanwhile(ctx, grantId, jwt, client.clientId);
    } else if (client.refreshTokenExpiration === 'sliding' || client.updateAccessTokenClaimsOnRefresh) {
      await refreshTokens.put({
        ...rec,
        expiresAt: refreshTokenExpiresAt(client, now, p.absoluteExpiresAt),
        payload: { ...p, accessTokenClaims: grantClaims },
      });
    }
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: 'refresh_token' });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
