/**
 * OIDC Core §5.3: the UserInfo endpoint, a protected resource (RFC 6750).
 * Errors are thrown as InvalidRequest / InvalidToken / InsufficientScope; the
 * route's 'bearer' channel turns them into `WWW-Authenticate: Bearer` answers.
 */
import type { ProviderContext } from '../context.js';
import { InsufficientScope, InvalidRequest, InvalidToken } from '../errors.js';
import { single, spaceList } from '../core/params.js';
import type { InternalRequest, InternalResponse } from '../core/types.js';
import { lookupToken } from '../tokens/lookup-token.js';
import { activeProfile, profileClaims } from '../tokens/user-claims.js';
import { userinfoResponse } from './userinfo-response.js';
import { checkUserinfoProof, dpopSchemeToken, withDpopChallenge } from './userinfo-dpop.js';
import { checkUserinfoCertificate } from './userinfo-mtls.js';
import { CLAIMS_LOCALES_CLAIM, USERINFO_CLAIMS_CLAIM, userinfoClaimsOf } from '../tokens/claims-request.js';
import { localSubjectOf, subjectFor } from '../tokens/pairwise.js';

/** RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER_SCHEME = /^bearer(?: +|$)/i;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const TOKEN_LIMIT = 8192;

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/**
 * The one access token of the request: `Authorization: Bearer` (§2.1) or the
 * `access_token` form parameter of a POST (§2.2). Undefined when there is none.
 */
export function presentedAccessToken(req: InternalRequest, known?: (token: string) => boolean): string | undefined {
  // RFC 6750 §2.3 is not supported: tokens in URLs leak into logs and Referer headers (§5.3).
  if (req.query.has('access_token')) throw new InvalidRequest('access tokens must not be sent in the query string');
  let fromHeader: string | undefined;
  const header = req.headers.authorization?.trim();
  if (header && BEARER_SCHEME.test(header)) {
    fromHeader = header.replace(BEARER_SCHEME, '');
    // A token identical to one we issued and verified is well-formed: skip the character scan.
    if (fromHeader.length > TOKEN_LIMIT || (!known?.(fromHeader) && !B64TOKEN.test(fromHeader))) throw new InvalidRequest('malformed Bearer credentials');
  }
  let fromBody: string | undefined;
  if (req.body.has('access_token')) {
    // §2.2: only in a form-encoded body, and not with GET.
    if (req.method !== 'POST' || !isForm(req.headers['content-type'])) {
      throw new InvalidRequest('access_token in the body requires a POST with application/x-www-form-urlencoded');
    }
    fromBody = single(req.body, 'access_token', TOKEN_LIMIT);
  }
  // §2: "Clients MUST NOT use more than one method to transmit the token in each request."
  if (fromHeader !== undefined && fromBody !== undefined) throw new InvalidRequest('the access token must be sent by one method only');
  return fromHeader ?? fromBody;
}

/**
 * GET or POST /connect/userinfo: `sub` plus the claims of the token's identity scopes.
 *
 * @example
 * routes.set(PATHS.userinfo, { methods: ['GET', 'POST'], cors: true, channel: 'bearer', handle: userinfoEndpoint });
 */
export async function userinfoEndpoint(req: InternalRequest, ctx: ProviderContext): Promise<InternalResponse> {
  // RFC 9449 §7.1: `Authorization: DPoP <token>`; its refusals carry a DPoP challenge (endpoints/userinfo-dpop.ts).
  let dpopToken: string | undefined;
  try {
    dpopToken = dpopSchemeToken(req);
    return await userinfo(req, ctx, dpopToken);
  } catch (err) {
    throw dpopToken !== undefined ? withDpopChallenge(err, ctx) : err;
  }
}

async function userinfo(req: InternalRequest, ctx: ProviderContext, dpopToken: string | undefined): Promise<InternalResponse> {
  const token = dpopToken ?? presentedAccessToken(req, (t) => ctx.verifiedJwts.get(t, ctx.clock.now()) !== undefined);
  // RFC 6750 §3.1: no token at all gets the bare challenge (the bearer channel drops the error code).
  if (token === undefined) throw new InvalidToken('an access token is required');
  const found = await lookupToken(ctx, token, 'access_token');
  // Refresh tokens, ID tokens and foreign JWTs are not access tokens for this endpoint.
  if (!found || found.type !== 'access_token') throw new InvalidToken('the access token is invalid');
  if (!found.active) throw new InvalidToken('the access token is expired or revoked');
  await checkUserinfoProof(ctx, req, dpopToken !== undefined ? 'DPoP' : 'Bearer', token, found.claims);
  // RFC 8705 §3: a certificate-bound token needs its certificate (endpoints/userinfo-mtls.ts).
  checkUserinfoCertificate(req, found.claims);
  const scopes = spaceList(typeof found.claims.scope === 'string' ? found.claims.scope : undefined);
  // OIDC Core §5.3.3 / RFC 6750 §3.1: a token without openid lacks the scope this endpoint needs.
  if (!scopes.includes('openid')) throw new InsufficientScope('the access token does not have the openid scope');
  const clientId = found.claims.client_id;
  const client = typeof clientId !== 'string' ? undefined : ctx.clients.load ? await ctx.clients.load(clientId) : ctx.clients.find(clientId);
  // A token of a client that is gone or disabled, or of a user the profile service calls inactive: no answer.
  if (!client) throw new InvalidToken('the client of the access token is no longer enabled');
  // A pairwise client's token names the user by its pairwise sub; the local one travels sealed (tokens/pairwise.ts).
  const active = await activeProfile(ctx, localSubjectOf(ctx, client, found.claims), client, 'userinfo');
  if (!active) throw new InvalidToken('the user of the access token is no longer active');
  // OIDC Core §5.3.2: sub is always returned; the other claims per the granted identity scopes (§5.4)
  // and the claims parameter's userinfo member (§5.5), which the access token carries.
  const claimsRequest = userinfoClaimsOf(found.claims[USERINFO_CLAIMS_CLAIM]);
  const locales = found.claims[CLAIMS_LOCALES_CLAIM];
  const claims = await profileClaims(ctx, {
    subjectId: active.subjectId,
    user: active.user,
    client,
    caller: 'userinfo',
    scopes,
    target: 'identity',
    claimsRequest,
    ...(typeof locales === 'string' && { claimsLocales: locales }),
  });
  // §5.3.2: the sub is the ID token's (pairwise for a pairwise client, §8); the token keeps the local one.
  // JSON, or a signed and/or encrypted JWT per the client's registration (userinfo-response.ts).
  return userinfoResponse(ctx, client, { ...claims, sub: subjectFor(ctx, client, active.subjectId) });
}
