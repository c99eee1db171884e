/**
 * The access token format as a strategy, chosen per client (`accessTokenType`):
 * a signed JWT per RFC 9068, or a reference token (a random handle whose hash
 * is stored with the claims, answered by introspection). Issuing builds the
 * claims once; the format only turns them into the token the client gets and
 * says how that token is revoked later.
 */
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';
import { handleId, newHandle } from './handles.js';
import { signJwt } from './sign-jwt.js';

/** What a format stores beside the claims (reference tokens). */
export interface AccessTokenBinding {
  subjectId: string;
  clientId: string;
  sessionId?: string;
  /** Family id: revoking the grant deletes the reference token. */
  grantId?: string;
  issuedAt: number;
  expiresAt: number;
}

/** How a token of this format is revoked: a JWT by its jti (a marker), a reference token by deleting its record. */
export interface IssuedAccessTokenRef {
  jwt?: { jti: string; exp: number };
  referenceId?: string;
}

export interface AccessTokenFormat {
  readonly type: Client['accessTokenType'];
  /** The token given to the client for these claims. */
  encode(ctx: ProviderContext, claims: Record<string, unknown>, binding: AccessTokenBinding): Promise<string>;
  /** What revokes the token later (stored with the refresh token issued beside it). */
  revocationRef(token: string, claims: Record<string, unknown>): IssuedAccessTokenRef;
}

/** RFC 9068 JWT access tokens, signed with the current key. */
export const jwtAccessTokens: AccessTokenFormat = {
  type: 'jwt',
  encode: (ctx, claims) => signJwt(claims, ctx.keys.signingKey(), 'at+jwt'),
  revocationRef(_token, { jti, exp }) {
    return typeof jti === 'string' && typeof exp === 'number' ? { jwt: { jti, exp } } : {};
  },
};

/** Reference tokens: a random handle; only its hash is stored, with the claims. */
export const referenceAccessTokens: AccessTokenFormat = {
  type: 'reference',
  async encode(ctx, claims, b) {
    const handle = newHandle();
    await ctx.stores.referenceTokens.issue({
      kind: 'reference_token',
      id: handleId(handle),
      subjectId: b.subjectId,
      clientId: b.clientId,
      sessionId: b.sessionId,
      grantId: b.grantId,
      createdAt: b.issuedAt,
      expiresAt: b.expiresAt,
      payload: { claims },
    });
    return handle;
  },
  revocationRef: (token) => ({ referenceId: handleId(token) }),
};

/**
 * The client's format.
 *
 * @example const token = await accessTokenFormat(client).encode(ctx, claims, binding);
 */
export function accessTokenFormat(client: Pick<Client, 'accessTokenType'>): AccessTokenFormat {
  return client.accessTokenType === 'reference' ? referenceAccessTokens : jwtAccessTokens;
}
