/** Verifies an ID token we issued, presented back as id_token_hint (expiry not checked: OIDC Core §3.1.2.1). */
import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import type { ProviderContext } from '../context.js';

/** The hint's claims when its signature is ours and its issuer is us; undefined otherwise. */
export async function verifyIdTokenHint(ctx: ProviderContext, hint: string): Promise<(JWTPayload & { sub: string; aud: string[] }) | undefined> {
  try {
    const { kid } = decodeProtectedHeader(hint);
    const key = kid ? ctx.keys.publicKey(kid) : undefined;
    if (!key) return undefined;
    await compactVerify(hint, key);
    const claims = decodeJwt(hint);
    if (claims.iss !== ctx.issuer || typeof claims.sub !== 'string') return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
    return { ...claims, sub: claims.sub, aud };
  } catch {
    return undefined;
  }
}
