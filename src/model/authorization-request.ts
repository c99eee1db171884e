/** The validated authorization request, as stored in an interaction. Plain JSON. */
import type { ClaimsRequest } from './claims-request.js';

/** The JARM modes (`query.jwt`, ...) carry the parameters in one JWT (endpoints/authorize/jarm.ts); `jwt` is resolved to one of them. */
export type ResponseMode = 'query' | 'fragment' | 'form_post' | 'query.jwt' | 'fragment.jwt' | 'form_post.jwt';

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  /** The canonical response type (endpoints/authorize/response-types.ts); absent in interactions stored before it existed: `code`. */
  responseType?: 'code' | 'id_token' | 'id_token token' | 'code id_token' | 'code token' | 'code id_token token';
  responseMode: ResponseMode;
  state?: string;
  /** Requested scopes, validated against the client and the resources. */
  scopes: string[];
  resourceIndicators: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** RFC 9449 §10: the DPoP key thumbprint the code is bound to (`dpop_jkt`, or a PAR request's proof). */
  dpopJkt?: string;
  prompt: string[];
  maxAge?: number;
  loginHint?: string;
  /** The sub of a valid id_token_hint. */
  idTokenHintSub?: string;
  acrValues: string[];
  uiLocales?: string;
  claimsLocales?: string;
  /** OIDC Core §5.5: the parsed `claims` parameter. */
  claims?: ClaimsRequest;
  /** OIDC Core §3.1.2.1: how the pages should display (page, popup, touch, wap). */
  display?: string;
  /** Set by a host's custom authorize request validator; shown to custom pages by the interaction API. */
  annotations?: Record<string, unknown>;
}

/** Where errors may go once the redirect URI is verified (OIDC Core §3.1.2.6). */
export interface VerifiedRedirect {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
  /** The client the response goes to (JARM `aud` and its signing/encryption settings). */
  clientId?: string;
}
