/** The `claims` request parameter as stored (OIDC Core §5.5); parsed by tokens/claims-request.ts. Plain JSON. */

/** §5.5.1: one requested claim: null (default manner) or an object with essential, value, values. */
export interface ClaimRequest {
  essential?: boolean;
  value?: string | number | boolean;
  values?: (string | number | boolean)[];
}

/** Requested claims of one target: claim name -> request (null = voluntary, default manner). */
export type ClaimsMember = Record<string, ClaimRequest | null>;

/** §5.5: the parameter's two members this provider understands; others are ignored. */
export interface ClaimsRequest {
  userinfo?: ClaimsMember;
  id_token?: ClaimsMember;
}
