/**
 * An upstream's back-channel logout token, validated per OpenID Connect
 * Back-Channel Logout 1.0 §2.6: a JWS in canonical compact form signed with a
 * key of the upstream's JWKS (no `none`), `iss` the provider's issuer, `aud`
 * our client id, `iat` present, `exp` not passed, the `events` member with
 * the back-channel-logout event (a JSON object), `sub` or `sid` present,
 * no `nonce` (§2.4), `typ` when present `logout+jwt`, a `jti` not seen before.
 */
import * as jose from 'jose';
import type { ProviderContext } from '../context.js';
import { isCompactJws } from '../tokens/compact-jws.js';
import type { OutboundFetch } from '../net/index.js';
import type { ResolvedProvider } from './presets.js';
import { entraIssuerFor, isMultiTenant } from './presets.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface LogoutClaims {
  issuer: string;
  sub?: string;
  sid?: string;
}

export class LogoutTokenError extends Error {
  override readonly name = 'LogoutTokenError';
}

export async function verifyUpstreamLogoutToken(
  ctx: ProviderContext,
  p: ResolvedProvider,
  token: string,
  jwksUri: string | undefined,
  fetchOut: OutboundFetch,
): Promise<LogoutClaims> {
  if (!isCompactJws(token)) throw new LogoutTokenError('the logout token is not a compact JWS');
  if (!jwksUri) throw new LogoutTokenError('the provider publishes no jwks_uri');
  const jwks = jose.createLocalJWKSet((await fetchOut.json(jwksUri)) as jose.JSONWebKeySet);
  const header = jose.decodeProtectedHeader(token);
  if (header.typ !== undefined && header.typ.toLowerCase() !== 'logout+jwt' && header.typ.toLowerCase() !== 'application/logout+jwt') {
    throw new LogoutTokenError('the logout token has a wrong typ');
  }
  let payload: jose.JWTPayload;
  try {
    ({ payload } = await jose.jwtVerify(token, jwks, {
      audience: p.config.clientId,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      requiredClaims: ['iat'],
      currentDate: new Date(ctx.clock.now() * 1000),
      clockTolerance: 60,
    }));
  } catch (err) {
    throw new LogoutTokenError(`the logout token is invalid: ${(err as Error).message}`);
  }
  const expectedIssuer = p.type === 'microsoft' && isMultiTenant(p.config.tenant ?? 'common') ? entraIssuerFor('common', payload.tid as string) : p.issuer;
  if (!expectedIssuer || payload.iss !== expectedIssuer) throw new LogoutTokenError('the logout token has a wrong iss');
  const events = payload.events as Record<string, unknown> | undefined;
  const event = events?.[EVENT];
  if (!event || typeof event !== 'object' || Array.isArray(event)) throw new LogoutTokenError('the logout token has no back-channel logout event');
  if ('nonce' in payload) throw new LogoutTokenError('a logout token must not carry a nonce');
  const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
  const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
  if (!sub && !sid) throw new LogoutTokenError('the logout token has neither sub nor sid');
  // §2.6 step 10 (optional): refuse a replayed jti.
  if (typeof payload.jti === 'string') {
    const now = ctx.clock.now();
    const fresh = await ctx.backend.records.insertIfAbsent(
      { kind: 'replay', id: `fed-logout:${p.name}:${payload.jti}`.slice(0, 400), createdAt: now, expiresAt: now + 600, payload: {} },
      now,
    );
    if (!fresh) throw new LogoutTokenError('the logout token was used before');
  }
  return { issuer: payload.iss, sub, sid };
}
