/**
 * Discovery metadata of mutual TLS (RFC 8705): §3.3
 * `tls_client_certificate_bound_access_tokens`, and §5 `mtls_endpoint_aliases`:
 * the endpoints a client reaches with mutual TLS when the server requests
 * certificates on another host or port (`mtls.endpointAliasBase`).
 */
import type { ProviderContext } from '../context.js';

/** The endpoints that take client authentication or bound tokens (§5 names these kinds). */
const ALIASED = ['token', 'revocation', 'introspection', 'userinfo', 'deviceAuthorization', 'backchannelAuthentication'] as const;
const METADATA_NAMES: Record<(typeof ALIASED)[number], string> = {
  token: 'token_endpoint',
  revocation: 'revocation_endpoint',
  introspection: 'introspection_endpoint',
  userinfo: 'userinfo_endpoint',
  deviceAuthorization: 'device_authorization_endpoint',
  backchannelAuthentication: 'backchannel_authentication_endpoint',
};

/**
 * The members, for the endpoints the document lists (`doc`); none with mTLS off.
 *
 * @example Object.assign(doc, mtlsMetadata(ctx, doc));
 */
export function mtlsMetadata(ctx: ProviderContext, doc: Record<string, unknown>): Record<string, unknown> {
  const mtls = ctx.config.mtls;
  if (!mtls.enabled) return {};
  const meta: Record<string, unknown> = { tls_client_certificate_bound_access_tokens: true };
  if (mtls.endpointAliasBase) {
    const base = mtls.endpointAliasBase.replace(/\/$/, '');
    const aliases: Record<string, string> = {};
    for (const key of ALIASED) {
      const name = METADATA_NAMES[key];
      const url = ctx.endpoints[key];
      // §5: only endpoints the document itself lists, at the same path under the alias base.
      if (doc[name] === url && url.startsWith(ctx.issuer)) aliases[name] = base + url.slice(ctx.issuer.length);
    }
    // PAR (RFC 9126) when another module added it to the document.
    const par = doc.pushed_authorization_request_endpoint;
    if (typeof par === 'string' && par.startsWith(ctx.issuer)) aliases.pushed_authorization_request_endpoint = base + par.slice(ctx.issuer.length);
    meta.mtls_endpoint_aliases = aliases;
  }
  return meta;
}
