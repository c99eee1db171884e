/**
 * Shared setup of the token exchange tests (RFC 8693): the demo
 * configuration plus clients with narrower policies, a second API, a client
 * issuing reference tokens, and a host validator for a partner's JWTs.
 */
import { decodeJwt, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { ConfigInput } from '../../src/config/schema.js';
import type { ForeignToken, SubjectTokenValidator } from '../../src/extensions/subject-token-validator.js';
import { authorizeWithLogin, exchangeCode } from '../helpers/flow.js';
import { basic } from '../helpers/server.js';
import { token, type Answer } from '../endpoints/helpers.js';

export const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const AT = 'urn:ietf:params:oauth:token-type:access_token';
export const ID = 'urn:ietf:params:oauth:token-type:id_token';
export const RT = 'urn:ietf:params:oauth:token-type:refresh_token';
export const JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const PARTNER = 'https://partner.example';
const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

const confidential = (clientId: string, extra: Record<string, unknown>) => ({
  clientId,
  clientSecrets: [{ value: SECRET_HASH }],
  ...extra,
});

/** The demo (with its m2m.short, 75 s tokens) plus: api2, m2m2 (scope api2), m2m.ref (reference tokens) and exchange clients with other policies. */
export function withExchangeClients(c: ConfigInput): void {
  c.apiScopes = [...(c.apiScopes ?? []), { name: 'api2' }];
  c.apiResources = [...(c.apiResources ?? []), { name: 'api2', scopes: ['api2'] }];
  const m2m = { allowedGrantTypes: ['client_credentials'], allowedScopes: ['api'] };
  c.clients = [
    ...(c.clients ?? []),
    confidential('m2m2', { ...m2m, allowedScopes: ['api', 'api2'] }),
    confidential('m2m.ref', { ...m2m, accessTokenType: 'reference' }),
    // Only m2m's tokens, ID tokens too, targets api only, delegation only.
    confidential('exchange.narrow', {
      allowedGrantTypes: [GRANT],
      allowedScopes: ['openid', 'api', 'api2'],
      tokenExchange: { subjectTokenTypes: [AT, ID], subjectTokenClients: ['m2m', 'interactive.confidential'], allowedAudiences: ['api'], impersonation: false },
    }),
    // Impersonation only, and tokens of any audience.
    confidential('exchange.noact', {
      allowedGrantTypes: [GRANT],
      allowedScopes: ['api', 'api2'],
      tokenExchange: { subjectTokenAudiences: ['*'], delegation: false },
    }),
  ];
}

/** A partner's signing key and a host validator that accepts the partner's JWTs (type jwt). */
export async function partner(): Promise<{ sign(claims: Record<string, unknown>): Promise<string>; validator: SubjectTokenValidator; calls: string[] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const calls: string[] = [];
  const validator: SubjectTokenValidator = {
    tokenTypes: [JWT, AT],
    async validate({ token: t, role }) {
      calls.push(role);
      if (t === 'throw-me') throw new Error('validator bug');
      try {
        const { payload } = await jwtVerify(t, publicKey, { issuer: PARTNER });
        const result: ForeignToken = {
          subject: String(payload.sub),
          issuer: PARTNER,
          audiences: ['api'],
          scopes: ['api'],
          claims: { partner_tier: 'gold', sub: 'forged', act: { sub: 'forged' } },
          expiresAt: payload.exp,
        };
        if (payload.may_act) result.mayAct = payload.may_act as Record<string, unknown>;
        return result;
      } catch {
        return undefined;
      }
    },
  };
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(PARTNER).setIssuedAt().setExpirationTime('10m').sign(privateKey);
  return { sign, validator, calls };
}

/** A client credentials access token. */
export async function clientToken(url: string, clientId = 'm2m', scope?: string): Promise<string> {
  const r = await token(url, { grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basic(clientId, 'secret') });
  if (r.status !== 200) throw new Error(`client_credentials for ${clientId}: ${r.status} ${r.text}`);
  return r.body.access_token as string;
}

/** alice's (or bob's) tokens from interactive.confidential's code flow: access (aud api), ID and refresh token. */
export async function userTokens(url: string, username = 'alice'): Promise<{ access: string; id: string; refresh: string }> {
  const { code, verifier } = await authorizeWithLogin(url, { username, password: username });
  const { status, body } = await exchangeCode(url, code, verifier);
  if (status !== 200) throw new Error(`code exchange: ${status}`);
  return { access: body.access_token as string, id: body.id_token as string, refresh: body.refresh_token as string };
}

/** A token exchange request by `clientId` (client_secret_basic). */
export function exchange(url: string, params: Record<string, string | string[]>, clientId = 'exchange'): Promise<Answer> {
  return token(url, { grant_type: GRANT, ...params }, { authorization: basic(clientId, 'secret') });
}

export const claimsOf = (jwt: string) => decodeJwt(jwt) as Record<string, unknown>;
