/**
 * RFC 9701: the introspection response as a signed JWT (`typ:
 * token-introspection+jwt`), optionally encrypted to the caller, when the
 * caller asks for it with `Accept: application/token-introspection+jwt` (§4).
 * Callers are clients and API resources; each may register the alg and
 * encryption (§6 `introspection_signed_response_alg`,
 * `introspection_encrypted_response_alg/enc`).
 */
import type { IntrospectionCaller } from '../client-auth/authenticate-resource.js';
import type { SigningAlgorithm } from '../config/schema.js';
import type { ProviderContext } from '../context.js';
import { noStoreJson, type InternalRequest, type InternalResponse } from '../core/types.js';
import { encryptJwt } from '../tokens/encrypt-jwt.js';
import { clientKeyHolder } from '../tokens/encryption-key.js';
import { responseSigningKey } from '../tokens/response-signing-key.js';
import { signJwt } from '../tokens/sign-jwt.js';

/** RFC 9701 §4, §5, §10.2: the media type of the request's Accept and of the response. */
export const INTROSPECTION_JWT_TYPE = 'application/token-introspection+jwt';

/** Does the Accept header list the JWT response type (with a q above 0)? */
export function wantsIntrospectionJwt(req: InternalRequest): boolean {
  const accept = req.headers.accept;
  if (!accept || accept.length > 1024) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return type === INTROSPECTION_JWT_TYPE && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The caller's aud, keys and RFC 9701 §6 settings. */
function settingsOf(caller: IntrospectionCaller) {
  const holder = caller.kind === 'client' ? caller.client : caller.resource;
  return {
    audience: caller.kind === 'client' ? caller.client.clientId : caller.resource.name,
    holder:
      caller.kind === 'client'
        ? clientKeyHolder(caller.client)
        : { id: `resource:${caller.resource.name}`, jwks: caller.resource.jwks, jwksUri: caller.resource.jwksUri },
    signAlg: holder.introspectionSignedResponseAlg,
    encryptAlg: holder.introspectionEncryptedResponseAlg,
    encryptEnc: holder.introspectionEncryptedResponseEnc,
  };
}

type CallerSettings = ReturnType<typeof settingsOf>;

/** §6: RS256 by default; a server without RS256 keys signs with its first alg. */
function defaultAlg(ctx: ProviderContext): SigningAlgorithm {
  const algs = ctx.config.keys.algorithms;
  return algs.includes('RS256') ? 'RS256' : algs[0];
}

/** §5: the JWT response: iss, aud, iat and the RFC 7662 response as `token_introspection`. */
async function introspectionJwt(ctx: ProviderContext, s: CallerSettings, body: Record<string, unknown>): Promise<InternalResponse> {
  const claims = { iss: ctx.issuer, aud: s.audience, iat: ctx.clock.now(), token_introspection: body };
  let jwt = await signJwt(claims, responseSigningKey(ctx, s.signAlg ?? defaultAlg(ctx)), 'token-introspection+jwt');
  // §5: encrypted as a nested JWT; the inner JWT's type is kept in cty.
  if (s.encryptAlg) jwt = await encryptJwt(ctx, s.holder, jwt, { alg: s.encryptAlg, enc: s.encryptEnc, cty: 'token-introspection+jwt' });
  return { status: 200, headers: { 'content-type': INTROSPECTION_JWT_TYPE, 'cache-control': 'no-store', pragma: 'no-cache' }, body: jwt };
}

/**
 * How this request's introspection answer is sent: JSON (RFC 7662 §2.2), or
 * the RFC 9701 JWT when the caller's Accept asks for it.
 *
 * @example
 * const respond = introspectionResponder(req, ctx, caller);
 * return respond({ active: false });
 */
export function introspectionResponder(
  req: InternalRequest,
  ctx: ProviderContext,
  caller: IntrospectionCaller,
): (body: Record<string, unknown>) => Promise<InternalResponse> {
  if (!wantsIntrospectionJwt(req)) return (body) => Promise.resolve(noStoreJson(body));
  const settings = settingsOf(caller);
  return (body) => introspectionJwt(ctx, settings, body);
}
