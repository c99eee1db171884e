/**
 * Response types of the authorization endpoint: OIDC Core §3.1 (code),
 * §3.2 (implicit: `id_token`, `id_token token`), §3.3 (hybrid: `code
 * id_token`, `code token`, `code id_token token`) and OAuth 2.0 Multiple
 * Response Type Encoding Practices (their default response modes).
 *
 * Which a client may use follows IdentityServer's model, from its
 * `allowedGrantTypes` (docs/response-types.md):
 * - `authorization_code`: `code`
 * - `implicit`: `id_token`, `id_token token`
 * - `hybrid`: `code id_token`, `code token`, `code id_token token`
 * and a type that returns an access token from the authorization endpoint
 * also needs `allowAccessTokensViaBrowser` (IdentityServer's flag).
 */
import type { Client } from '../../model/types.js';
import type { ResponseMode } from '../../model/authorization-request.js';

/** The response types Gatehouse implements, each in its canonical order (Core §3's order). */
export const RESPONSE_TYPES = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** Which grant type enables which response types. */
const BY_GRANT: Record<string, readonly ResponseType[]> = {
  authorization_code: ['code'],
  implicit: ['id_token', 'id_token token'],
  hybrid: ['code id_token', 'code token', 'code id_token token'],
};

/**
 * The canonical form of a `response_type` value, or undefined when it is not
 * one Gatehouse implements. Multiple Response Type Encoding Practices §3: the
 * values are space-delimited and their order does not matter.
 *
 * @example canonicalResponseType('token id_token') // 'id_token token'
 */
export function canonicalResponseType(value: string): ResponseType | undefined {
  const parts = value.split(' ');
  if (parts.some((p) => p === '') || new Set(parts).size !== parts.length) return undefined;
  const set = new Set(parts);
  return RESPONSE_TYPES.find((t) => {
    const words = t.split(' ');
    return words.length === set.size && words.every((w) => set.has(w));
  });
}

export const returnsCode = (t: ResponseType) => t === 'code' || t.startsWith('code ');
export const returnsIdToken = (t: ResponseType) => t.split(' ').includes('id_token');
export const returnsAccessToken = (t: ResponseType) => t.split(' ').includes('token');

/** The response types a client's grant types allow (before the allowAccessTokensViaBrowser gate). */
export function grantedResponseTypes(allowedGrantTypes: Iterable<string>): ResponseType[] {
  const out = new Set<ResponseType>();
  for (const g of allowedGrantTypes) for (const t of BY_GRANT[g] ?? []) out.add(t);
  return RESPONSE_TYPES.filter((t) => out.has(t));
}

/** The response types a client may use: its grants', without those returning an access token unless allowAccessTokensViaBrowser. */
export function clientResponseTypes(client: Pick<Client, 'grantTypeSet' | 'allowAccessTokensViaBrowser'>): ResponseType[] {
  return grantedResponseTypes(client.grantTypeSet).filter((t) => client.allowAccessTokensViaBrowser || !returnsAccessToken(t));
}

/**
 * The default response mode (Multiple Response Type Encoding Practices §2.1,
 * §5): query for `code`, fragment for every type that returns a token.
 */
export function defaultResponseMode(t: ResponseType | undefined): ResponseMode {
  return t === undefined || t === 'code' ? 'query' : 'fragment';
}

/**
 * Multiple Response Type Encoding Practices §2.1: "In no case should a set of
 * Authorization Response parameters whose default Response Mode is the
 * fragment encoding be encoded using the query encoding" (tokens in a URL
 * query reach server logs and Referer headers).
 */
export function modeAllowed(t: ResponseType, mode: ResponseMode): boolean {
  // JARM §2.3.1: likewise query.jwt (Gatehouse does not make the encrypted exception the spec allows).
  return !((mode === 'query' || mode === 'query.jwt') && defaultResponseMode(t) === 'fragment');
}
