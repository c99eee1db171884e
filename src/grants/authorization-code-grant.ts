/** RFC 6749 §4.1.3 / OIDC Core §3.1.3: the authorization code grant. */
import { randomUUID } from 'node:crypto';
import type { GrantHandler, ProviderContext } from '../context.js';
import { InvalidGrant, InvalidTarget } from '../errors.js';
import { required, single } from '../core/params.js';
import type { Client } from '../model/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import type { StoredRecord } from '../stores/types.js';
import type { AuthorizationCodePayload } from '../tokens/authorization-code-record.js';
import { handleId, newHandle } from '../tokens/handles.js';
import { absoluteRefreshExpiry, issueRefreshToken } from '../tokens/token-service.js';
import { profileClaims } from '../tokens/user-claims.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { assertVerifierSyntax, verifyPkce } from './pkce.js';
import { dpopConfirmation, refreshTokenCertificate, refreshTokenJkt, requireBoundKey } from '../proof/token-binding.js';
import { derivedJti, grantRevokedMeanwhile, markGrantRevoked, revokeJwtAccessToken } from '../tokens/grant-revocation.js';
import { activeUser, issuedJwt, issueUserTokens, userTokenResponse } from '../tokens/token-service.js';

type CodeRecord = StoredRecord<AuthorizationCodePayload>;

/**
 * Stores a new authorization code (only its hash) in a new grant family and returns the code.
 *
 * @example
 * const code = await storeAuthorizationCode(ctx, { client, subjectId: user.subjectId, sessionId: sid, payload });
 */
export async function storeAuthorizationCode(ctx: ProviderContext, input: CodeInput): Promise<string> {
  const { code, record } = authorizationCodeRecord(ctx, input);
  await ctx.stores.codes.issue(record);
  return code;
}

type CodeInput = { client: Client; subjectId: string; sessionId?: string; payload: AuthorizationCodePayload };

/** A new code and the record that stores it (for a caller that batches its writes). */
export function authorizationCodeRecord(ctx: ProviderContext, input: CodeInput): { code: string; record: CodeRecord } {
  const now = ctx.clock.now();
  const code = newHandle();
  const record: CodeRecord = {
    kind: 'authorization_code',
    id: handleId(code),
    clientId: input.client.clientId,
    subjectId: input.subjectId,
    sessionId: input.sessionId,
    grantId: randomUUID(),
    createdAt: now,
    expiresAt: now + input.client.authorizationCodeLifetime,
    payload: input.payload,
  };
  return { code, record };
}

/** The jti of the JWT access token a code's redemption issues: derived, so a replay can revoke it without a stored link. */
export const codeAccessTokenJti = (codeRecordId: string) => derivedJti('authorization_code', codeRecordId);

/** The jti of the JWT access token issued beside a code at the authorization endpoint (hybrid `code token`): derived the same way. */
export const frontChannelAccessTokenJti = (codeRecordId: string) => derivedJti('authorization_endpoint', codeRecordId);

/**
 * RFC 6749 §4.1.2, §10.5: a code used twice revokes what its first use issued:
 * the grant family (refresh and reference tokens) and the JWT access token.
 */
async function revokeReplayedCode(ctx: ProviderContext, rec: CodeRecord): Promise<void> {
  if (rec.grantId) await markGrantRevoked(ctx, rec.grantId);
  // The first redemption's access token has the derived jti and exp = its iat + lifetime,
  // with iat at or just after consumedAt (the revoked_jti record keeps a minute of slack).
  const lifetime = ctx.clients.find(rec.clientId ?? '')?.accessTokenLifetime ?? 86400;
  const exp = (rec.consumedAt ?? ctx.clock.now()) + lifetime;
  await revokeJwtAccessToken(ctx, codeAccessTokenJti(rec.id), exp, rec.clientId);
  // Hybrid: the access token issued with the code at the authorization endpoint (OIDC Core §3.3; RFC 6749 §4.1.2).
  await revokeJwtAccessToken(ctx, frontChannelAccessTokenJti(rec.id), exp, rec.clientId);
  // A code redeemed by a node of an earlier version stored its random jti instead.
  const { issuedJti } = rec.payload;
  if (issuedJti) await revokeJwtAccessToken(ctx, issuedJti, exp, rec.clientId);
  if (rec.grantId) await ctx.stores.grants.deleteFamily(rec.grantId);
  ctx.logger.warn({ clientId: rec.clientId, grantId: rec.grantId }, 'authorization code replayed; grant revoked');
  ctx.events({ type: 'authorization_code_replayed', clientId: rec.clientId, subjectId: rec.subjectId });
  ctx.events({ type: 'grant_revoked', reason: 'authorization_code_replayed', clientId: rec.clientId, subjectId: rec.subjectId, grantId: rec.grantId });
}

/** Finds, checks and atomically consumes the code; every failure is invalid_grant. */
async function redeemCode(ctx: ProviderContext, code: string, client: Client): Promise<CodeRecord> {
  const codes = ctx.stores.codes;
  const id = handleId(code);
  const found = await codes.find(id);
  if (!found || found.kind !== 'authorization_code') throw new InvalidGrant('authorization code is invalid or expired');
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential client".
  if (found.clientId !== client.clientId) throw new InvalidGrant('authorization code was issued to another client');
  // Built only when thrown: an Error captures a stack trace, which the happy path need not pay for.
  const replayed = () => new InvalidGrant('authorization code has already been used');
  if (found.consumedAt !== undefined) {
    await revokeReplayedCode(ctx, found);
    throw replayed();
  }
  if (found.expiresAt <= ctx.clock.now()) throw new InvalidGrant('authorization code is invalid or expired');
  // Single use is atomic: of concurrent redemptions exactly one gets the record.
  const rec = await codes.consume(id, ctx.clock.now());
  if (!rec) {
    // Lost a race with a redemption that read the code at the same moment: that one succeeds,
    // this one is refused. Any later use finds the code consumed and revokes the grant (above).
    ctx.logger.warn({ clientId: client.clientId }, 'authorization code redeemed concurrently; the later request refused');
    ctx.events({ type: 'authorization_code_race', clientId: client.clientId, subjectId: found.subjectId });
    throw replayed();
  }
  return rec;
}

/** RFC 8707 §2.2: resource at the token endpoint narrows the granted resources; it cannot add any. */
function tokenResources(requested: readonly string[], granted: readonly string[]): readonly string[] {
  if (!requested.length) return granted;
  if (granted.length) {
    const outside = requested.find((r) => !granted.includes(r));
    if (outside !== undefined) throw new InvalidTarget(`resource ${outside.slice(0, 100)} was not part of the authorization request`);
  }
  return requested;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier', 'resource'],
  async handle(req, client, ctx) {
    const code = required(req.body, 'code', 512);
    const redirectUri = single(req.body, 'redirect_uri', 2048);
    const verifier = single(req.body, 'code_verifier', 256);
    assertVerifierSyntax(verifier);
    const rec = await redeemCode(ctx, code, client);
    const p = rec.payload;
    // RFC 6749 §4.1.3 and OIDC Core §3.1.3.2: redirect_uri was in the authorization request, so it is required and identical.
    if (redirectUri === undefined) throw new InvalidGrant('redirect_uri is required: it was sent in the authorization request');
    if (redirectUri !== p.redirectUri) throw new InvalidGrant('redirect_uri does not match the authorization request');
    verifyPkce(p, verifier); // RFC 7636 §4.6
    requireBoundKey(p.dpopJkt, req, 'authorization code'); // RFC 9449 §10: dpop_jkt
    const user = await activeUser(ctx, rec.subjectId, client, 'authorization_code');

    const grant = validateScopes(ctx.resources, client, { requested: p.scopes, resourceIndicators: p.resourceIndicators });
    const indicators = tokenResources(req.body.get('resource') ?? [], p.resourceIndicators);
    const forToken =
      indicators === p.resourceIndicators ? grant : validateScopes(ctx.resources, client, { requested: p.scopes, resourceIndicators: indicators });
    const withRefresh = grant.offlineAccess && client.allowOfflineAccess && client.grantTypeSet.has('refresh_token');
    const scopes = withRefresh ? grant.scopes : grant.scopes.filter((s) => s !== 'offline_access');
    const audiences = forToken.resources.map((r) => r.name);
    const grantId = rec.grantId ?? randomUUID();
    const claimsFor = (aud: readonly string[]) =>
      profileClaims(ctx, { subjectId: user.subjectId, user, client, caller: 'access_token', scopes, target: 'access', audiences: aud });
    let accessTokenClaims = await claimsFor(audiences);
    let accessTokenLifetime: number | undefined;
    if (ctx.extensions.tokenRequestValidator) {
      ({ accessTokenClaims, accessTokenLifetime } = await runTokenRequestValidator(ctx, {
        grantType: 'authorization_code',
        client,
        subjectId: user.subjectId,
        scopes,
        body: req.body,
        accessTokenClaims,
      }));
    }

    const tokens = await issueUserTokens(ctx, {
      client,
      user,
      scopes,
      audiences,
      grantId,
      accessTokenClaims,
      accessTokenLifetime,
      sessionId: rec.sessionId,
      authTime: p.authTime,
      acr: p.acr,
      amr: p.amr,
      nonce: p.nonce,
      claims: p.claims,
      claimsLocales: p.claimsLocales,
      // Derived from the code, so a replay knows which token to revoke without a second write here.
      jti: codeAccessTokenJti(rec.id),
      cnf: dpopConfirmation(req),
    });
    const jwt = issuedJwt(tokens, client);

    let refreshToken: string | undefined;
    if (withRefresh) {
      const grantAudiences = grant.resources.map((r) => r.name);
      refreshToken = await issueRefreshToken(ctx, {
        client,
        subjectId: user.subjectId,
        sessionId: rec.sessionId,
        grantId,
        payload: {
          scopes,
          audiences: grantAudiences,
          absoluteExpiresAt: absoluteRefreshExpiry(client, ctx.clock.now()),
          authTime: p.authTime,
          acr: p.acr,
          amr: p.amr,
          claims: p.claims,
          claimsLocales: p.claimsLocales,
          accessTokenClaims: sameList(grantAudiences, audiences) && !ctx.extensions.tokenRequestValidator ? accessTokenClaims : await claimsFor(grantAudiences),
          issuedJwt: jwt,
          dpopJkt: refreshTokenJkt(client, req),
          certificateThumbprint: refreshTokenCertificate(client, req),
        },
      });
    }
    await grantRevokedMeanwhile(ctx, grantId, jwt, client.clientId);
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: user.subjectId, grantType: 'authorization_code' });
    return userTokenResponse(tokens, scopes, refreshToken);
  },
};
