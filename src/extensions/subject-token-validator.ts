/**
 * The foreign token validator of the token exchange grant (RFC 8693 §2.1):
 * Gatehouse verifies the tokens it issued itself; a token it did not issue
 * (another provider's JWT, a SAML assertion, a legacy session ticket) is
 * handed to this host hook, which validates it and names its subject and
 * claims (docs/extending.md, docs/token-exchange.md).
 */
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';

export interface ForeignTokenContext {
  /** The presented token, exactly as sent. */
  token: string;
  /** Its RFC 8693 §3 token type identifier (`subject_token_type` / `actor_token_type`). */
  tokenType: string;
  /** Whether it was presented as `subject_token` or as `actor_token`. */
  role: 'subject' | 'actor';
  /** The authenticated client asking for the exchange. */
  client: Client;
}

/** What the host vouches for about a token it validated. */
export interface ForeignToken {
  /** The subject (`sub`) of the token, and of the exchanged token when this is the subject token. */
  subject: string;
  /** The token's issuer; put into `act.iss` when the token is the actor's. */
  issuer?: string;
  /** The client it was issued to (checked against the policy's `subjectTokenClients`). */
  clientId?: string;
  /** Its audiences (checked against the policy's `subjectTokenAudiences`). */
  audiences?: readonly string[];
  /** The most the exchanged token may carry; default the exchanging client's allowed scopes. */
  scopes?: readonly string[];
  /** Extra claims for the exchanged token (protocol claims are never taken from here). */
  claims?: Record<string, unknown>;
  /** RFC 8693 §4.4: who may act for this subject (`{ sub, iss? }`). */
  mayAct?: Record<string, unknown>;
  /** Its expiry (epoch seconds): the exchanged token does not outlive it. */
  expiresAt?: number;
  /** RFC 8693 §4.1: the actors the token already names (kept nested in the exchanged token). */
  act?: Record<string, unknown>;
}

/**
 * @example
 * const subjectTokenValidator: SubjectTokenValidator = {
 *   tokenTypes: ['urn:ietf:params:oauth:token-type:jwt'],
 *   async validate({ token }) {
 *     const { payload } = await jwtVerify(token, partnerJwks, { issuer: 'https://partner.example' });
 *     return payload.sub ? { subject: `partner:${payload.sub}`, issuer: 'https://partner.example', scopes: ['api'] } : undefined;
 *   },
 * };
 * const gh = await createGatehouse(config, { subjectTokenValidator });
 */
export interface SubjectTokenValidator {
  /** The token types it validates; a type Gatehouse does not know is refused unless listed here. */
  tokenTypes: readonly string[];
  /** The token's subject and claims, or undefined when it is not valid (expired, unknown issuer, bad signature, ...). */
  validate(context: ForeignTokenContext, ctx: ProviderContext): Promise<ForeignToken | undefined>;
}
