/**
 * Extension grants (IdentityServer's IExtensionGrantValidator, RFC 6749
 * §4.5): the host validates a custom grant's request and names the subject,
 * claims and scopes; Gatehouse's token service issues the tokens. The
 * adapter registers like any grant (`registerGrant`, or the `grants` option).
 */
import type { GrantHandler, ProviderContext } from '../context.js';
import { InvalidGrant, InvalidRequest, OAuthError } from '../errors.js';
import { single, spaceList } from '../core/params.js';
import { noStoreJson, type Params } from '../core/types.js';
import type { Client } from '../model/types.js';
import { issueTokens } from './token-service.js';
import { dpopConfirmation } from '../proof/token-binding.js';

export interface ExtensionGrantContext {
  /** The token request's body parameters (repeats kept), already checked for length and repeats. */
  body: Params;
  /** The authenticated client, allowed this grant type. */
  client: Client;
  /** The requested scopes (`scope` parameter). */
  scopes: string[];
}

/** What the validator decided. */
export type ExtensionGrantResult =
  | {
      ok: true;
      /** The user the tokens are for; absent for a token of the client itself. */
      subjectId?: string;
      /** Extra access token claims. */
      claims?: Record<string, unknown>;
      /** The scopes to grant; default the requested ones. */
      scopes?: string[];
      authTime?: number;
      amr?: string[];
    }
  | {
      ok: false;
      /** An OAuth error code; default invalid_grant. */
      error?: 'invalid_grant' | 'invalid_request';
      description?: string;
    };

/**
 * @example
 * const otpGrant: ExtensionGrantValidator = {
 *   grantType: 'urn:example:otp',
 *   parameters: ['otp', 'phone'],
 *   async validate({ body }) {
 *     const subjectId = await otpService.verify(body.get('phone')?.[0], body.get('otp')?.[0]);
 *     return subjectId ? { ok: true, subjectId, amr: ['otp'] } : { ok: false, description: 'wrong or expired code' };
 *   },
 * };
 * const gh = await createGatehouse(config, { extensionGrants: [otpGrant] });
 */
export interface ExtensionGrantValidator {
  /** The grant_type value (an absolute URI for custom grants, RFC 6749 §4.5). */
  grantType: string;
  /** Parameters the grant reads besides grant_type, scope and client authentication. */
  parameters?: readonly string[];
  validate(context: ExtensionGrantContext, ctx: ProviderContext): Promise<ExtensionGrantResult>;
}

/**
 * A grant handler that runs the validator and issues through the token service.
 *
 * @example gh.registerGrant(extensionGrant(otpGrant));
 */
export function extensionGrant(validator: ExtensionGrantValidator): GrantHandler {
  return {
    grantType: validator.grantType,
    parameters: ['scope', 'resource', ...(validator.parameters ?? [])],
    async handle(req, client, ctx) {
      const scopes = spaceList(single(req.body, 'scope'));
      let result: ExtensionGrantResult;
      try {
        result = await validator.validate({ body: req.body, client, scopes }, ctx);
      } catch (err) {
        if (err instanceof OAuthError) throw err;
        ctx.logger.error({ err, grantType: validator.grantType }, 'extension grant validator failed');
        throw err;
      }
      if (!result.ok) {
        const description = (result.description ?? 'the grant is invalid').slice(0, 200);
        throw result.error === 'invalid_request' ? new InvalidRequest(description) : new InvalidGrant(description);
      }
      const body = await issueTokens(ctx, {
        client,
        grantType: validator.grantType,
        subjectId: result.subjectId,
        scopes: result.scopes ?? scopes,
        resources: req.body.get('resource') ?? [],
        claims: result.claims,
        body: req.body,
        authTime: result.authTime,
        amr: result.amr,
        cnf: dpopConfirmation(req),
      });
      return noStoreJson(body);
    },
  };
}
