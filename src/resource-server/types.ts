/**
 * Public types of the resource server (API protection): what it is given,
 * what a request looks like to it, and what it answers.
 */
import type { X509Certificate } from 'node:crypto';

/** A fetch implementation: the global `fetch`, or an in-process handler such as `gatehouse.fetch`. */
export type FetchLike = (request: Request) => Promise<Response>;

/** JWS algorithms a resource server may accept (asymmetric only; never `none` or HMAC). */
export type JwsAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** The request as the resource server sees it: enough for the token and for a proof-of-possession check. */
export interface ResourceRequest {
  method: string;
  /** The absolute URL the client called (DPoP's `htu` is checked against it). */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The TLS client certificate of the connection, if any (RFC 8705 certificate-bound tokens). */
  peerCertificate?: X509Certificate;
  /** The address of the connection's peer (a proxy, when there is one); set for node requests. */
  remoteAddress?: string;
}

/** What a route requires beyond a valid token for this API. */
export interface Requirement {
  /** Every one of these scopes must be in the token's `scope`. */
  scopes?: readonly string[];
}

/** A validated access token. */
export interface AccessTokenInfo {
  /** The token as presented. */
  token: string;
  /** `jwt` (validated locally) or `reference` (validated by introspection). */
  format: 'jwt' | 'reference';
  /** The authorization scheme it came with (`Bearer`, or a proof verifier's scheme such as `DPoP`). */
  scheme: string;
  /** The JWT claims, or the introspection response's members. */
  claims: Record<string, unknown>;
  subject: string | undefined;
  clientId: string | undefined;
  scopes: string[];
  audiences: string[];
  /** Expiry, epoch seconds. */
  expiresAt: number | undefined;
  /** The confirmation claim of a sender-constrained token (RFC 7800), already checked by a proof verifier. */
  cnf?: Record<string, unknown>;
}

/** A refusal: status, headers (with `WWW-Authenticate`) and a small JSON body, ready to send. */
export interface ResourceFailure {
  status: number;
  /** The RFC 6750 error code; absent when the request carried no credentials (RFC 6750 §3.1). */
  error?: string;
  description?: string;
  headers: Record<string, string>;
  body: string;
}

export type VerifyResult = { ok: true; auth: AccessTokenInfo } | { ok: false; failure: ResourceFailure };

/** What a proof-of-possession verifier is given. */
export interface ProofInput {
  /** The token's `cnf` claim (RFC 7800). */
  cnf: Record<string, unknown>;
  token: string;
  /** The authorization scheme as sent. */
  scheme: string;
  claims: Record<string, unknown>;
  request: ResourceRequest;
}

/** A refusal from a proof verifier. */
export interface ProofFailure {
  /** e.g. `invalid_token`, `invalid_dpop_proof`, `use_dpop_nonce`. */
  error: string;
  description?: string;
  /** Default 401. */
  status?: number;
  /** Extra response headers (e.g. `DPoP-Nonce`). */
  headers?: Record<string, string>;
}

/**
 * The proof-of-possession seam: checks that the caller holds the key a
 * sender-constrained token is bound to (DPoP, RFC 9449; mTLS, RFC 8705).
 *
 * @example
 * const dpop: ProofVerifier = {
 *   confirmationMethod: 'jkt',
 *   scheme: 'DPoP',
 *   challenge: 'algs="ES256 PS256"',
 *   async verify({ cnf, token, request }) { return checkDpopProof(cnf.jkt, token, request); },
 * };
 */
export interface ProofVerifier {
  /** The `cnf` member it checks: `jkt` (DPoP), `x5t#S256` (mTLS). */
  confirmationMethod: string;
  /** The scheme bound tokens arrive with: `DPoP` (RFC 9449 §7.1) or `Bearer` (RFC 8705 §3). */
  scheme: string;
  /** Auth-params added to this scheme's challenge, e.g. `algs="ES256"`. */
  challenge?: string;
  /** Resolves undefined when the proof holds, or a failure. */
  verify(input: ProofInput): Promise<ProofFailure | undefined> | ProofFailure | undefined;
}

/** Introspection (RFC 7662) credentials for reference tokens. */
export interface IntrospectionOptions {
  /** The API's name at the authorization server (Gatehouse: the API resource name). */
  clientId: string;
  /** The API secret. */
  clientSecret: string;
  /** Default: `introspection_endpoint` from the issuer's metadata. */
  endpoint?: string;
  /** Seconds an introspection answer is reused (never beyond the token's `exp`). Default 60. */
  cacheTtl?: number;
  /** Also introspect JWTs after local validation, so revoked JWTs are refused within `cacheTtl`. Default false. */
  introspectJwts?: boolean;
}

export interface ResourceServerOptions {
  /** The authorization server's issuer identifier, exactly as in its tokens. */
  issuer: string;
  /** This API's audience value(s); a token must name at least one in `aud`. */
  audience: string | readonly string[];
  /** Scopes every request needs (a route may add more). */
  scopes?: readonly string[];
  /** Accepted JWS algorithms. Default RS256, PS256, ES256, EdDSA. */
  algorithms?: readonly JwsAlgorithm[];
  /** Reference tokens are accepted only when this is set. */
  introspection?: IntrospectionOptions;
  /** Default `{issuer}/.well-known/openid-configuration`. */
  metadataUrl?: string;
  /** Skip the metadata document for the keys. */
  jwksUri?: string;
  /** Leeway in seconds for `exp`, `nbf` and `iat`. Default 10. */
  clockTolerance?: number;
  /** Seconds a fetched JWKS is used before it is fetched again. Default 300. */
  jwksMaxAge?: number;
  /** Least seconds between two fetches caused by an unknown `kid` (key rotation). Default 30. */
  jwksRefetchInterval?: number;
  /** Milliseconds an outbound request may take. Default 5000. */
  fetchTimeout?: number;
  /** Largest outbound response body in bytes. Default 262144. */
  fetchSizeLimit?: number;
  /** Largest number of cached introspection answers. Default 10000. */
  cacheSize?: number;
  fetch?: FetchLike;
  /** Time source, epoch seconds. */
  clock?: () => number;
  /** `realm` of the challenges. */
  realm?: string;
  /** RFC 9728 §5.1: sent as `resource_metadata` in every challenge. */
  resourceMetadataUrl?: string;
  /** Origin used to build the request URL for node requests (default from the Host header). */
  origin?: string;
  /** Proof-of-possession verifiers; without one, sender-constrained tokens are refused. */
  proof?: readonly ProofVerifier[];
  /** Allow an http (not https) issuer on a host other than loopback. Default false. */
  allowInsecureHttp?: boolean;
}

/** A node request after the middleware accepted it: `req.auth` holds the token. */
export type AuthenticatedRequest<R extends object = import('node:http').IncomingMessage> = R & { auth: AccessTokenInfo };
