/**
 * Discovery metadata of pushed authorization requests (RFC 9126 §5) and
 * request objects (RFC 9101 §10.1, OIDC Discovery 1.0 §3).
 */
import type { ProviderContext } from '../context.js';
import { REQUEST_OBJECT_ALGORITHMS } from '../request-objects/request-object-key.js';
import { REQUEST_OBJECT_ENCRYPTIONS, requestObjectEncryptionAlgs } from '../request-objects/decrypt-request-object.js';
import { PAR_PATH } from './par-endpoint.js';

export function parJarMetadata(ctx: ProviderContext): Record<string, unknown> {
  const par = ctx.config.pushedAuthorization;
  const jar = ctx.config.requestObjects;
  const doc: Record<string, unknown> = {
    request_parameter_supported: jar.enabled,
    // OIDC Discovery §3: true when request_uri works at all; PAR's urn values always do while PAR is on.
    request_uri_parameter_supported: par.enabled || (jar.enabled && jar.fetchByReference),
    // OIDC Discovery §3: https request_uri values need not be registered beforehand.
    require_request_uri_registration: false,
  };
  if (jar.enabled) {
    // `none` only while no one must sign (RFC 9101 §10.5): an unsigned object is then accepted from a client not required to sign.
    doc.request_object_signing_alg_values_supported = jar.requireSigned ? [...REQUEST_OBJECT_ALGORITHMS] : [...REQUEST_OBJECT_ALGORITHMS, 'none'];
    // RFC 9101 §6.1 / OIDC Discovery §3: encrypted request objects, to the `use: "enc"` key in the JWKS.
    const encryption = requestObjectEncryptionAlgs(ctx);
    if (encryption.length > 0) {
      doc.request_object_encryption_alg_values_supported = encryption;
      doc.request_object_encryption_enc_values_supported = [...REQUEST_OBJECT_ENCRYPTIONS];
    }
  }
  if (par.enabled) {
    doc.pushed_authorization_request_endpoint = `${ctx.issuer}${PAR_PATH}`;
    doc.require_pushed_authorization_requests = par.required;
  }
  return doc;
}
