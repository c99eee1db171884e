/**
 * OpenID Connect Discovery 1.0 §3 and RFC 8414 §2 metadata, built once as
 * ready bytes.
 */
import { jarmMetadata } from './jarm-metadata.js';
import { mtlsMetadata } from './mtls-metadata.js';
import type { ProviderContext } from '../context.js';
import type { GrantHandler } from '../context.js';
import { responseCryptoMetadata } from './response-crypto-metadata.js';
import { cibaMetadata } from './ciba-metadata.js';
import { clientResponseTypes, RESPONSE_TYPES } from './authorize/response-types.js';
import { DEVICE_CODE_GRANT } from '../grants/device-code-grant.js';
import { parJarMetadata } from './par-jar-metadata.js';
import { supportedAcrValues } from '../tokens/acr.js';

export interface DiscoveryFeatures {
  /** The authorization endpoint and interactive flows are mounted. */
  interactive: boolean;
}

/**
 * RFC 8414 §2 code_challenge_methods_supported: what a client can use here.
 * `plain` only when an enabled client allows it (`allowPlainTextPkce`);
 * every other client is refused it (RFC 7636 §4.2, RFC 9700 §2.1.1).
 */
function pkceMethods(ctx: ProviderContext): string[] {
  const plain = ctx.clients.all().some((c) => c.enabled && c.allowPlainTextPkce);
  return plain ? ['S256', 'plain'] : ['S256'];
}

/**
 * Grants advertised only when an enabled client may use them: the password
 * grant is legacy and insecure (RFC 9700 §2.4), so a server none of whose
 * clients has it does not name it in grant_types_supported; the device grant
 * comes with its endpoint (RFC 8628 §4), listed only when some client uses it;
 * token exchange (RFC 8693) is a per-client policy that no client has by default.
 */
const OPT_IN_GRANTS: ReadonlySet<string> = new Set(['password', DEVICE_CODE_GRANT, 'urn:ietf:params:oauth:grant-type:token-exchange']);

function advertised(ctx: ProviderContext, grant: GrantHandler): boolean {
  return !OPT_IN_GRANTS.has(grant.grantType) || ctx.clients.all().some((c) => c.enabled && c.grantTypeSet.has(grant.grantType));
}

/** response_types_supported: `code`, and the implicit and hybrid types an enabled client may use (endpoints/authorize/response-types.ts). */
function enabledResponseTypes(ctx: ProviderContext): string[] {
  const enabled = new Set<string>(['code']);
  for (const c of ctx.clients.all()) if (c.enabled) clientResponseTypes(c).forEach((t) => enabled.add(t));
  return RESPONSE_TYPES.filter((t) => enabled.has(t));
}

export function discoveryDocument(ctx: ProviderContext, features: DiscoveryFeatures): Record<string, unknown> {
  const e = ctx.endpoints;
  const scopes = [
    ...[...ctx.resources.identity.values()].filter((r) => r.enabled && r.showInDiscoveryDocument).map((r) => r.name),
    ...[...ctx.resources.apiScopes.values()].filter((r) => r.enabled && r.showInDiscoveryDocument).map((r) => r.name),
  ];
  const claims = new Set<string>(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid']);
  for (const r of ctx.resources.identity.values()) if (r.enabled && r.showInDiscoveryDocument) r.userClaims.forEach((c) => claims.add(c));
  const authMethods = [...ctx.clientAuthMethods.keys()];
  const algs = ctx.config.keys.algorithms;
  const grants = [...ctx.grants.values()].filter((g) => advertised(ctx, g)).map((g: GrantHandler) => g.grantType);
  const responseTypes = enabledResponseTypes(ctx);
  // RFC 7591 §2.1: a response type returning a token from the authorization endpoint is the implicit grant's.
  if (features.interactive && responseTypes.some((t) => t !== 'code') && !grants.includes('implicit')) grants.push('implicit');
  // RFC 8628 §4: the device authorization endpoint is listed with the grant (only when an enabled client may use it).
  const deviceFlow = grants.includes(DEVICE_CODE_GRANT);
  const doc: Record<string, unknown> = {
    issuer: ctx.issuer,
    jwks_uri: e.jwks,
    token_endpoint: e.token,
    introspection_endpoint: e.introspection,
    revocation_endpoint: e.revocation,
    scopes_supported: scopes,
    claims_supported: [...claims],
    grant_types_supported: grants,
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256', 'HS384', 'HS512'],
    introspection_endpoint_auth_methods_supported: authMethods.filter((m) => m !== 'none'),
    revocation_endpoint_auth_methods_supported: authMethods,
    // OIDC Core §8: pairwise once the salt is configured (docs/claims.md).
    subject_types_supported: ctx.config.subjects.pairwiseSalt !== undefined ? ['public', 'pairwise'] : ['public'],
    id_token_signing_alg_values_supported: algs,
    ...cibaMetadata(ctx),
  };
  // RFC 9449 §5.1: the DPoP proof algorithms the token endpoint (and userinfo) accept.
  if (ctx.config.dpop.enabled) doc.dpop_signing_alg_values_supported = [...ctx.config.dpop.algorithms];
  if (features.interactive) {
    Object.assign(doc, {
      authorization_endpoint: e.authorization,
      userinfo_endpoint: e.userinfo,
      end_session_endpoint: e.endSession,
      response_types_supported: responseTypes,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      code_challenge_methods_supported: pkceMethods(ctx),
      prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
      // OIDC Core §5.5 (docs/claims.md).
      claims_parameter_supported: true,
      display_values_supported: ['page', 'popup', 'touch', 'wap'],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      authorization_response_iss_parameter_supported: true,
      ui_locales_supported: ['en', 'de'],
      // Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1 (docs/logout.md).
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    if (deviceFlow) doc.device_authorization_endpoint = e.deviceAuthorization;
    // Discovery §3: the acr values the configured mapping gives (authentication.acr).
    const acrValues = supportedAcrValues(ctx.config);
    if (acrValues.length) doc.acr_values_supported = acrValues;
    // Session Management 1.0 §3.3.
    if (ctx.config.authentication.checkSession) doc.check_session_iframe = e.checkSession;
  }
  // RFC 8414 §2 / OIDC Discovery §3 registration_endpoint; draft-ietf-oauth-client-id-metadata-document-03 §5.
  if (ctx.config.registration.enabled) doc.registration_endpoint = `${ctx.issuer}/connect/register`;
  if (ctx.config.clientIdMetadataDocuments.enabled) doc.client_id_metadata_document_supported = true;
  // Signed and encrypted ID token, userinfo and introspection responses (docs/signed-encrypted-responses.md).
  Object.assign(doc, responseCryptoMetadata(ctx, features.interactive));
  // Pushed authorization requests and request objects (docs/par-jar.md).
  if (features.interactive) Object.assign(doc, parJarMetadata(ctx));
  // JARM §4 (endpoints/authorize/jarm.ts) and RFC 8705 §3.3, §5 (docs/mtls.md).
  if (features.interactive) Object.assign(doc, jarmMetadata(ctx));
  Object.assign(doc, mtlsMetadata(ctx, doc));
  // OIDC Discovery 1.0 §3 acr_values_supported: the multi-factor acr an authorization request may ask for (docs/mfa.md), beside any others.
  if (features.interactive && ctx.mfa)
    doc.acr_values_supported = [...new Set([...((doc.acr_values_supported as string[] | undefined) ?? []), ctx.config.mfa.acr])];
  return doc;
}
