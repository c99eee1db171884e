/**
 * Client metadata as a registration request carries it: RFC 7591 §2 and
 * OpenID Connect Dynamic Client Registration 1.0 §2, the fields Gatehouse
 * supports. Parsing answers the RFC 7591 §3.2.2 error of the first bad field,
 * with its JSON path in the description (`$.redirect_uris[1]: ...`).
 */
import type { output as ZodOutput } from 'zod';
import { z } from '../config/zod-runtime.js';
import { JWE_ALGORITHMS, JWE_ENCRYPTIONS } from '../config/response-crypto-schema.js';
import { InvalidClientMetadata, InvalidRedirectUri } from '../errors.js';

const MAX_URIS = 20;

/** RFC 6749 §3.1.2: an absolute URI without fragment. */
const absoluteUri = z
  .string()
  .max(2000)
  .refine(
    (s) => {
      try {
        new URL(s);
        return !s.includes('#');
      } catch {
        return false;
      }
    },
    { error: 'must be an absolute URI without fragment' },
  );

/** Registration 1.0 §2 (initiate_login_uri), RFC 7591 §5 (logo_uri etc. should be https; http allowed for display only). */
const httpsUri = absoluteUri.refine((s) => s.startsWith('https://'), { error: 'must use the https scheme' });
const webUri = absoluteUri.refine((s) => /^https?:\/\//.test(s), { error: 'must be an http or https URL' });

const signingAlg = z.enum(['RS256', 'PS256', 'ES256', 'EdDSA']);
const jweAlg = z.enum(JWE_ALGORITHMS);
const jweEnc = z.enum(JWE_ENCRYPTIONS);

export const clientMetadataSchema = z.object({
  redirect_uris: z.array(absoluteUri).max(MAX_URIS).optional(),
  token_endpoint_auth_method: z.string().min(1).max(64).optional(),
  grant_types: z.array(z.string().min(1).max(200)).max(20).optional(),
  response_types: z.array(z.string().min(1).max(100)).max(20).optional(),
  client_name: z.string().max(200).optional(),
  client_uri: webUri.optional(),
  logo_uri: webUri.optional(),
  tos_uri: webUri.optional(),
  policy_uri: webUri.optional(),
  /** RFC 7591 §2: space-separated scope values. */
  scope: z
    .string()
    .max(1000)
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scope tokens (RFC 6749 §3.3)')
    .optional(),
  contacts: z.array(z.string().min(1).max(320)).max(20).optional(),
  jwks_uri: httpsUri.optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1).max(20) }).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(200).optional(),
  // OpenID Connect Dynamic Client Registration 1.0 §2.
  application_type: z.enum(['web', 'native']).optional(),
  post_logout_redirect_uris: z.array(absoluteUri).max(MAX_URIS).optional(),
  subject_type: z.literal('public', { error: 'only public subject identifiers are supported' }).optional(),
  initiate_login_uri: httpsUri.optional(),
  id_token_signed_response_alg: signingAlg.optional(),
  id_token_encrypted_response_alg: jweAlg.optional(),
  id_token_encrypted_response_enc: jweEnc.optional(),
  userinfo_signed_response_alg: signingAlg.optional(),
  userinfo_encrypted_response_alg: jweAlg.optional(),
  userinfo_encrypted_response_enc: jweEnc.optional(),
  // RFC 9701 §6.
  introspection_signed_response_alg: signingAlg.optional(),
  introspection_encrypted_response_alg: jweAlg.optional(),
  introspection_encrypted_response_enc: jweEnc.optional(),
  // Front-Channel Logout 1.0 §2, Back-Channel Logout 1.0 §2.2.
  frontchannel_logout_uri: absoluteUri.optional(),
  frontchannel_logout_session_required: z.boolean().optional(),
  backchannel_logout_uri: absoluteUri.optional(),
  backchannel_logout_session_required: z.boolean().optional(),
});

/** The metadata fields Gatehouse keeps (unknown fields are ignored, RFC 7591 §2). */
export type ClientMetadata = ZodOutput<typeof clientMetadataSchema>;

/** Fields that are not client metadata but may appear in requests (RFC 7591 §3.1, RFC 7592 §2.2). */
export const NON_METADATA_FIELDS = [
  'client_id',
  'client_secret',
  'software_statement',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
];

/** `$.redirect_uris[1]` for a zod issue path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/** RFC 7591 §3.2.2: redirect URI problems are invalid_redirect_uri, the others invalid_client_metadata. */
export function metadataError(path: readonly PropertyKey[], message: string): InvalidClientMetadata | InvalidRedirectUri {
  const text = `${jsonPath(path)}: ${message}`;
  return path[0] === 'redirect_uris' ? new InvalidRedirectUri(text) : new InvalidClientMetadata(text);
}

/**
 * Parses the metadata of a registration (or update) body. Throws the RFC 7591 error of the first bad field.
 *
 * @example parseClientMetadata({ redirect_uris: ['https://app.example/cb'] }).redirect_uris // ['https://app.example/cb']
 */
export function parseClientMetadata(body: Record<string, unknown>): ClientMetadata {
  const parsed = clientMetadataSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw metadataError(issue.path, issue.message);
  }
  const m = parsed.data;
  // RFC 7591 §2: jwks_uri and jwks MUST NOT both be present.
  if (m.jwks && m.jwks_uri) throw new InvalidClientMetadata('$.jwks: jwks and jwks_uri must not both be present (RFC 7591 §2)');
  // RFC 7591 §2 jwks: the client's public keys. Private or symmetric key material is refused (it would be the client's secret).
  m.jwks?.keys.forEach((key, i) => {
    if (!['RSA', 'EC', 'OKP'].includes(String(key.kty))) throw new InvalidClientMetadata(`$.jwks.keys[${i}].kty: must be RSA, EC or OKP (public keys only)`);
    const secret = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].find((f) => f in key);
    if (secret) throw new InvalidClientMetadata(`$.jwks.keys[${i}].${secret}: private key material must not be registered`);
  });
  // Registration 1.0 §2: an enc needs its alg.
  for (const kind of ['id_token', 'userinfo', 'introspection'] as const) {
    if (m[`${kind}_encrypted_response_enc`] && !m[`${kind}_encrypted_response_alg`]) {
      throw new InvalidClientMetadata(`$.${kind}_encrypted_response_enc: needs ${kind}_encrypted_response_alg`);
    }
  }
  return m;
}
