/**
 * Verifies an ID token we issued, presented back as id_token_hint at the
 * authorization endpoint (OIDC Core §3.1.2.1) and the end-session endpoint
 * (RP-Initiated Logout 1.0 §2). Expiry is not checked: an expired ID token is
 * still a hint.
 *
 * Only an ID token counts. Every JWT this provider signs uses the same keys,
 * so the signature alone does not tell a logout token (`typ: logout+jwt`,
 * `events`) or an access token (`typ: at+jwt`, `client_id`, `scope`, and an
 * `aud` that may be a client id) from an ID token (RFC 8725 §3.11 explicit
 * typing, §2.8 cross-JWT confusion).
 */
import { compactVerify, decodeProtectedHeader, type JWTPayload } from 'jose';
import type { ProviderContext } from '../context.js';
import { isCompactJws } from './compact-jws.js';

/** Claims that an ID token never has and another token of ours does (logout token: events; access token: client_id, scope). */
const FOREIGN_CLAIMS = ['events', 'client_id', 'scope'] as const;

const decoder = new TextDecoder();

/** OIDC Core §2 leaves typ open; ours is `JWT`. Anything else (at+jwt, logout+jwt, ...) is another kind of token. */
function isIdTokenType(typ: unknown): boolean {
  return typ === undefined || (typeof typ === 'string' && typ.toUpperCase() === 'JWT');
}

export type IdTokenHintClaims = JWTPayload & { sub: string; aud: string[] };

/**
 * The hint's claims when it is an ID token of ours: canonical compact JWS,
 * typ `JWT` or none, signed by one of our published keys, iss = our issuer, a
 * sub, and none of the claims of our logout or access tokens. Undefined otherwise.
 *
 * @example
 * const claims = await verifyIdTokenHint(ctx, single(p, 'id_token_hint', 8192)!);
 * if (!claims?.aud.includes(client.clientId)) throw new InvalidRequest('id_token_hint is not for this client');
 */
export async function verifyIdTokenHint(ctx: ProviderContext, hint: string): Promise<IdTokenHintClaims | undefined> {
  if (!isCompactJws(hint)) return undefined;
  try {
    const header = decodeProtectedHeader(hint);
    if (!isIdTokenType(header.typ)) return undefined;
    const key = header.kid ? ctx.keys.publicKey(header.kid) : undefined;
    if (!key) return undefined;
    const { payload } = await compactVerify(hint, key);
    const claims = JSON.parse(decoder.decode(payload)) as unknown;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
    const c = claims as JWTPayload;
    if (c.iss !== ctx.issuer || typeof c.sub !== 'string') return undefined;
    // OIDC Core §2: an ID token always has exp and iat; a signed userinfo response (§5.3.2: iss, sub, aud) has neither.
    if (typeof c.exp !== 'number' || typeof c.iat !== 'number') return undefined;
    if (FOREIGN_CLAIMS.some((name) => name in c)) return undefined;
    const aud = Array.isArray(c.aud) ? c.aud : c.aud === undefined ? [] : [c.aud];
    if (aud.some((a) => typeof a !== 'string')) return undefined;
    return { ...c, sub: c.sub, aud };
  } catch {
    return undefined;
  }
}
