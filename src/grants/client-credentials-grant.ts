/** RFC 6749 §4.4: the client credentials grant. */
import type { GrantHandler } from '../context.js';
import { InvalidScope, UnauthorizedClient } from '../errors.js';
import { single, spaceList } from '../core/params.js';
import { noStoreJson } from '../core/types.js';
import { validateScopes } from '../model/validate-scopes.js';
import { accessTokenType, issueAccessToken } from '../tokens/token-service.js';
import { dpopConfirmation } from '../proof/token-binding.js';
import { runTokenRequestValidator } from '../extensions/token-request-validator.js';

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  parameters: ['scope', 'resource'],
  // RFC 6749 §4.4: "MUST only be used by confidential clients"; the token endpoint enforces it.
  requiresConfidentialClient: true,
  async handle(req, client, ctx, auth) {
    // Defence in depth for a direct caller: the token endpoint refused these already.
    if (client.isPublic || auth.method === 'none') throw new UnauthorizedClient('client_credentials needs an authenticated confidential client');
    const requested = spaceList(single(req.body, 'scope'));
    // RFC 6749 §3.3: no scope means the client's default: all API scopes it may request.
    const scopeList = requested.length ? requested : client.allowedScopes.filter((s) => ctx.resources.apiScopes.has(s));
    const granted = validateScopes(ctx.resources, client, {
      requested: scopeList,
      resourceIndicators: req.body.get('resource') ?? [],
      apiOnly: true,
    });
    // RFC 6749 §3.3: no scope requested and no default to give.
    if (granted.apiScopes.length === 0) throw new InvalidScope('no scope requested and the client has no API scope to default to');
    // A host's custom token request validator, only when there is one (no promise on the hot path otherwise).
    const custom = ctx.extensions.tokenRequestValidator
      ? await runTokenRequestValidator(ctx, { grantType: 'client_credentials', client, scopes: granted.apiScopes, body: req.body, accessTokenClaims: {} })
      : undefined;
    const token = await issueAccessToken(ctx, {
      client,
      scopes: granted.apiScopes,
      audiences: granted.resources.map((r) => r.name),
      claims: custom?.accessTokenClaims,
      lifetime: custom?.accessTokenLifetime,
      cnf: dpopConfirmation(req),
    });
    ctx.events({ type: 'token_issued', clientId: client.clientId, grantType: 'client_credentials' });
    return noStoreJson({
      access_token: token.accessToken,
      token_type: accessTokenType(token.claims),
      expires_in: token.expiresIn,
      scope: granted.apiScopes.join(' '),
    });
  },
};
