/**
 * The tokens presented to the token exchange grant (RFC 8693 §2.1
 * `subject_token` and `actor_token`), verified strictly: an access token
 * Gatehouse issued (JWT: canonical compact JWS, our published key, our
 * issuer, `typ: at+jwt`, exp/nbf, jti not revoked; reference: a live stored
 * handle), an ID token Gatehouse issued (signature, issuer, `typ`, not
 * expired), or a token a host's `subjectTokenValidator` vouches for.
 *
 * RFC 8693 §2.2.2: a token that is "invalid for any reason" is answered
 * `invalid_request`, so every refusal here is an {@link InvalidRequest}.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest, OAuthError } from '../errors.js';
import type { Client } from '../model/types.js';
import { TOKEN_TYPE } from '../config/token-exchange-schema.js';
import type { ForeignToken } from '../extensions/subject-token-validator.js';
import { MalformedJwt, parseCompactJws } from './compact-jws.js';
import { verifyIdTokenHint } from './id-token-hint.js';
import { lookupToken } from './lookup-token.js';
import { hintedLocalSubject, localSubjectOf } from './pairwise.js';

/** A verified subject or actor token. */
export interface PresentedToken {
  /** Which of the accepted kinds it is. */
  kind: 'access_token' | 'id_token' | 'foreign';
  subject: string;
  /** Our issuer, or the foreign token's (undefined when the host did not say). */
  issuer: string | undefined;
  /** The client it was issued to, when known. */
  clientId: string | undefined;
  audiences: readonly string[];
  /** The scopes it carries; undefined for ID tokens and foreign tokens without scopes. */
  scopes: readonly string[] | undefined;
  /** An access token of a client itself (client_credentials: sub is the client, no user). */
  clientSubject: boolean;
  /** RFC 8693 §4.1 and §4.4. */
  act: Record<string, unknown> | undefined;
  mayAct: Record<string, unknown> | undefined;
  /** Authentication facts of the user's sign-in, carried into the exchanged token. */
  authTime: number | undefined;
  acr: string | undefined;
  amr: string[] | undefined;
  /** Extra claims a host vouched for (foreign tokens only). */
  extraClaims: Record<string, unknown> | undefined;
  /** Its exp (epoch seconds), when known: the exchanged token does not outlive it. */
  expiresAt: number | undefined;
}

const asObject = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function fromClaims(kind: 'access_token' | 'id_token', issuer: string, c: Record<string, unknown>): PresentedToken {
  const sub = typeof c.sub === 'string' ? c.sub : '';
  const clientId =
    kind === 'access_token' ? (typeof c.client_id === 'string' ? c.client_id : undefined) : typeof c.azp === 'string' ? c.azp : asStrings(c.aud)[0];
  return {
    kind,
    subject: sub,
    issuer,
    clientId,
    audiences: asStrings(c.aud),
    scopes: kind === 'access_token' ? (typeof c.scope === 'string' ? c.scope.split(' ').filter(Boolean) : []) : undefined,
    // RFC 9068 §2.2: a token of the client itself has the client id as sub and no authentication of a user.
    clientSubject: kind === 'access_token' && sub === clientId && c.auth_time === undefined,
    act: asObject(c.act),
    mayAct: asObject(c.may_act),
    authTime: typeof c.auth_time === 'number' ? c.auth_time : undefined,
    acr: typeof c.acr === 'string' ? c.acr : undefined,
    amr: Array.isArray(c.amr) ? asStrings(c.amr) : undefined,
    extraClaims: undefined,
    expiresAt: typeof c.exp === 'number' ? c.exp : undefined,
  };
}

/** Did our issuer sign (or claim to sign) this JWT? Such a token is never a foreign token. */
function claimsOurIssuer(ctx: ProviderContext, token: string): boolean {
  try {
    return parseCompactJws(token).payload.iss === ctx.issuer;
  } catch (err) {
    if (err instanceof MalformedJwt) return false;
    throw err;
  }
}

async function ourAccessToken(ctx: ProviderContext, token: string, what: string): Promise<PresentedToken | undefined> {
  const found = await lookupToken(ctx, token, 'access_token');
  if (!found) return undefined;
  if (found.type !== 'access_token') throw new InvalidRequest(`${what} is not an access token`);
  // Expired, not yet valid, revoked (JWT jti in the revocation store; a revoked reference token is gone).
  if (!found.active) throw new InvalidRequest(`${what} is expired or revoked`);
  // RFC 9449 §7 / RFC 8705 §3: a sender-constrained token is usable only with proof of its key, which an exchange does not show.
  if (found.claims.cnf !== undefined) throw new InvalidRequest(`${what} is sender-constrained (cnf) and cannot be exchanged`);
  return withLocalSubject(ctx, fromClaims('access_token', ctx.issuer, found.claims), found.claims);
}

async function ourIdToken(ctx: ProviderContext, token: string, what: string): Promise<PresentedToken | undefined> {
  const claims = await verifyIdTokenHint(ctx, token);
  if (!claims) return undefined;
  // Unlike an id_token_hint, an ID token exchanged for access must be valid now (OIDC Core §3.1.3.7 step 9).
  if (typeof claims.exp !== 'number' || claims.exp <= ctx.clock.now()) throw new InvalidRequest(`${what} is expired`);
  if (typeof claims.jti === 'string' && (await ctx.stores.revocations.isJtiRevoked(claims.jti))) throw new InvalidRequest(`${what} is revoked`);
  return withLocalSubject(ctx, fromClaims('id_token', ctx.issuer, claims), claims);
}

/**
 * OIDC Core §8: a pairwise client's tokens name the user by the pairwise sub,
 * which cannot be reversed; the local subject comes from the access token's
 * sealed subject or the ID token's session (tokens/pairwise.ts). Unresolved:
 * no subject (the caller answers invalid_request).
 */
async function withLocalSubject(ctx: ProviderContext, presented: PresentedToken, claims: Record<string, unknown>): Promise<PresentedToken> {
  const client = presented.clientId === undefined ? undefined : ctx.clients.find(presented.clientId);
  if (!client || client.subjectType !== 'pairwise' || presented.clientSubject) return presented;
  const local =
    presented.kind === 'access_token'
      ? localSubjectOf(ctx, client, claims)
      : await hintedLocalSubject(ctx, client, { sub: presented.subject, sid: claims.sid });
  return { ...presented, subject: local ?? '' };
}

function fromForeign(f: ForeignToken): PresentedToken {
  return {
    kind: 'foreign',
    subject: f.subject,
    issuer: f.issuer,
    clientId: f.clientId,
    audiences: f.audiences ?? [],
    scopes: f.scopes,
    clientSubject: false,
    act: f.act,
    mayAct: f.mayAct,
    authTime: undefined,
    acr: undefined,
    amr: undefined,
    extraClaims: f.claims,
    expiresAt: f.expiresAt,
  };
}

async function foreignToken(
  ctx: ProviderContext,
  token: string,
  tokenType: string,
  role: 'subject' | 'actor',
  client: Client,
): Promise<PresentedToken | undefined> {
  const hook = ctx.extensions.subjectTokenValidator;
  if (!hook?.tokenTypes.includes(tokenType) || claimsOurIssuer(ctx, token)) return undefined;
  let result: ForeignToken | undefined;
  try {
    result = await hook.validate({ token, tokenType, role, client }, ctx);
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    ctx.logger.error({ err, tokenType, role }, 'subjectTokenValidator failed');
    throw new InvalidRequest(`${role}_token could not be validated`);
  }
  if (!result) return undefined;
  if (typeof result.subject !== 'string' || result.subject === '' || result.subject.length > 255) {
    throw new InvalidRequest(`${role}_token has no usable subject`);
  }
  return fromForeign(result);
}

/**
 * The verified token, or invalid_request naming what is wrong (RFC 8693 §2.2.2).
 * `acceptedTypes` are the Gatehouse token types the caller accepts for this role.
 *
 * @example
 * const subject = await verifyPresentedToken(ctx, { token, tokenType, role: 'subject', client, acceptedTypes: policy.subjectTokenTypes });
 */
export async function verifyPresentedToken(
  ctx: ProviderContext,
  p: { token: string; tokenType: string; role: 'subject' | 'actor'; client: Client; acceptedTypes: readonly string[] },
): Promise<PresentedToken> {
  const what = `${p.role}_token`;
  const hookTypes = ctx.extensions.subjectTokenValidator?.tokenTypes ?? [];
  if (!p.acceptedTypes.includes(p.tokenType) && !hookTypes.includes(p.tokenType)) {
    throw new InvalidRequest(`${what}_type ${p.tokenType.slice(0, 100)} is not supported`);
  }
  let ours: PresentedToken | undefined;
  if (p.acceptedTypes.includes(p.tokenType)) {
    ours = p.tokenType === TOKEN_TYPE.idToken ? await ourIdToken(ctx, p.token, what) : await ourAccessToken(ctx, p.token, what);
  }
  const found = ours ?? (await foreignToken(ctx, p.token, p.tokenType, p.role, p.client));
  if (!found || found.subject === '') throw new InvalidRequest(`${what} is invalid`);
  return found;
}
