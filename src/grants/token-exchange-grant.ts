/**
 * RFC 8693: the token exchange grant. A confidential client presents a
 * subject token (and for delegation an actor token) and gets an access token
 * for the same subject, for a target its policy allows, with at most the
 * subject token's scopes. Issued through the token service.
 */
import { randomUUID } from 'node:crypto';
import type { GrantHandler, ProviderContext } from '../context.js';
import { InvalidRequest } from '../errors.js';
import { single, spaceList } from '../core/params.js';
import { noStoreJson, type InternalRequest } from '../core/types.js';
import { dpopConfirmation } from '../proof/token-binding.js';
import type { Client } from '../model/types.js';
import { TOKEN_TYPE } from '../config/token-exchange-schema.js';
import { withoutProtocolClaims } from '../extensions/profile-service.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';
import { verifyPresentedToken, type PresentedToken } from '../tokens/subject-token.js';
import { activeProfile, profileClaims } from '../tokens/user-claims.js';
import { accessTokenType } from '../tokens/access-token.js';
import { issueAccessToken } from '../tokens/token-service.js';
import { actClaim, allowedAudiencesOf, checkActing, checkSubjectAllowed, policyOf, requestedTargets } from './token-exchange-policy.js';
import { exchangeScopes } from './token-exchange-scopes.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Longest subject or actor token accepted (a JWT with many claims, a SAML assertion for a host's validator). */
const TOKEN_LIMIT = 16384;

/** RFC 8693 §2.1: the actor token, when one is sent; its type is required with it and forbidden without it. */
async function actorOf(req: InternalRequest, ctx: ProviderContext, client: Client): Promise<PresentedToken | undefined> {
  const token = single(req.body, 'actor_token', TOKEN_LIMIT);
  const tokenType = single(req.body, 'actor_token_type', 256);
  if (token === undefined && tokenType === undefined) return undefined;
  if (token === undefined) throw new InvalidRequest('actor_token_type was sent without actor_token');
  if (tokenType === undefined) throw new InvalidRequest('missing required parameter: actor_token_type (actor_token was sent)');
  // Any of our token types may name an actor (an access token of the acting client or user, an ID token).
  const accepted = [TOKEN_TYPE.accessToken, TOKEN_TYPE.idToken];
  return verifyPresentedToken(ctx, { token, tokenType, role: 'actor', client, acceptedTypes: accepted });
}

/** The access token claims of the subject: the user's (for the granted scopes), or what a host vouched for. */
async function subjectClaims(ctx: ProviderContext, client: Client, subject: PresentedToken, scopes: string[], audiences: string[]) {
  if (subject.kind === 'foreign') return withoutProtocolClaims(subject.extraClaims ?? {});
  if (subject.clientSubject) return {};
  const found = await activeProfile(ctx, subject.subject, client, 'token_exchange');
  // RFC 8693 §2.2.2: a subject token unacceptable for any reason is invalid_request.
  if (!found) throw new InvalidRequest('the subject of the subject_token is no longer active');
  return profileClaims(ctx, { subjectId: found.subjectId, user: found.user, client, caller: 'access_token', scopes, target: 'access', audiences });
}

export const tokenExchangeGrant: GrantHandler = {
  grantType: TOKEN_EXCHANGE_GRANT,
  parameters: [
    { name: 'subject_token', maxLength: TOKEN_LIMIT, required: true },
    { name: 'subject_token_type', required: true },
    { name: 'actor_token', maxLength: TOKEN_LIMIT },
    'actor_token_type',
    'requested_token_type',
    'scope',
    { name: 'audience', repeated: true },
  ],
  // RFC 8693 §5: the exchanging client is authenticated; Gatehouse offers the grant to confidential clients only.
  requiresConfidentialClient: true,
  async handle(req, client, ctx) {
    const policy = policyOf(client);
    const subjectToken = single(req.body, 'subject_token', TOKEN_LIMIT);
    const subjectTokenType = single(req.body, 'subject_token_type', 256);
    if (subjectToken === undefined) throw new InvalidRequest('missing required parameter: subject_token');
    if (subjectTokenType === undefined) throw new InvalidRequest('missing required parameter: subject_token_type');
    // RFC 8693 §2.1 requested_token_type; §3: Gatehouse issues access tokens only.
    const requestedType = single(req.body, 'requested_token_type', 256) ?? TOKEN_TYPE.accessToken;
    if (requestedType !== TOKEN_TYPE.accessToken) {
      throw new InvalidRequest(`requested_token_type ${requestedType.slice(0, 100)} is not supported; only ${TOKEN_TYPE.accessToken} is issued`);
    }
    const targets = requestedTargets(policy, req.body.get('audience') ?? [], req.body.get('resource') ?? []);
    const subject = await verifyPresentedToken(ctx, {
      token: subjectToken,
      tokenType: subjectTokenType,
      role: 'subject',
      client,
      acceptedTypes: policy.subjectTokenTypes,
    });
    checkSubjectAllowed(ctx, client, policy, subject);
    const actor = await actorOf(req, ctx, client);
    checkActing(ctx, client, policy, subject, actor);
    const act = actClaim(ctx, subject, actor);
    const granted = exchangeScopes(ctx.resources, client, subject, spaceList(single(req.body, 'scope')), targets);
    const audiences = allowedAudiencesOf(
      policy,
      granted.resources.map((r) => r.name),
    );
    const claims = await subjectClaims(ctx, client, subject, granted.scopes, audiences);
    const custom = ctx.extensions.tokenRequestValidator
      ? await runTokenRequestValidator(ctx, {
          grantType: TOKEN_EXCHANGE_GRANT,
          client,
          subjectId: subject.subject,
          scopes: granted.scopes,
          body: req.body,
          accessTokenClaims: claims,
        })
      : undefined;
    // Protocol claims (RFC 8693 §4.1 act, §4.4 may_act, cnf, ...) are the grant's to set, never a profile's or a validator's.
    const accessTokenClaims = withoutProtocolClaims(custom?.accessTokenClaims ?? claims);
    if (act) accessTokenClaims.act = act;
    // The exchanged token does not outlive the subject token (an exchange must not extend access).
    const now = ctx.clock.now();
    const lifetime = Math.min(custom?.accessTokenLifetime ?? client.accessTokenLifetime, subject.expiresAt !== undefined ? subject.expiresAt - now : Infinity);
    const token = await issueAccessToken(ctx, {
      client,
      subjectId: subject.subject,
      scopes: granted.scopes,
      audiences,
      claims: accessTokenClaims,
      authTime: subject.authTime,
      acr: subject.acr,
      amr: subject.amr,
      grantId: randomUUID(),
      lifetime: Math.max(1, lifetime),
      // RFC 9449 §5: a token request with a valid DPoP proof gets a token bound to its key.
      cnf: dpopConfirmation(req),
    });
    ctx.events({ type: 'token_issued', clientId: client.clientId, subjectId: subject.subject, grantType: TOKEN_EXCHANGE_GRANT });
    // RFC 8693 §2.2.1: issued_token_type is required; token_type Bearer, or DPoP for a bound token (RFC 9449 §5).
    return noStoreJson({
      access_token: token.accessToken,
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: accessTokenType(token.claims),
      expires_in: token.expiresIn,
      scope: granted.scopes.join(' '),
    });
  },
};
