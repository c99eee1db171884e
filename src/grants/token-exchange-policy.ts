/**
 * The checks of a token exchange request against the client's policy
 * (`clients[].tokenExchange`, config/token-exchange-schema.ts) and the
 * subject token's own restrictions (RFC 8693 §4.4 `may_act`), and the `act`
 * claim of a delegation (§4.1). Each check throws one specific OAuth error.
 */
import type { ProviderContext } from '../context.js';
import { InvalidRequest, InvalidTarget } from '../errors.js';
import type { Client } from '../model/types.js';
import { DEFAULT_TOKEN_EXCHANGE_POLICY, type TokenExchangePolicy } from '../config/token-exchange-schema.js';
import type { PresentedToken } from '../tokens/subject-token.js';

/** Nested `act` claims kept at most (a longer chain is refused rather than grown without bound). */
export const MAX_ACT_DEPTH = 8;
/** Distinct `audience` and `resource` values accepted in one request. */
export const MAX_TARGETS = 10;

export const policyOf = (client: Client): TokenExchangePolicy => client.tokenExchange ?? DEFAULT_TOKEN_EXCHANGE_POLICY;

/** The API resources the client's own allowed scopes belong to: the default subject token audiences. */
function ownAudiences(ctx: ProviderContext, client: Client): string[] {
  return client.allowedScopes.flatMap((s) => (ctx.resources.resourcesByScope.get(s) ?? []).map((r) => r.name));
}

/**
 * RFC 8693 §2.2.2: a subject token "unacceptable based on policy" is
 * invalid_request. The token must have been issued to a client the policy
 * names, and (an access token) carry one of the audiences it names.
 */
export function checkSubjectAllowed(ctx: ProviderContext, client: Client, policy: TokenExchangePolicy, subject: PresentedToken): void {
  const clients = policy.subjectTokenClients;
  if (!clients.includes('*') && (subject.clientId === undefined || !clients.includes(subject.clientId))) {
    throw new InvalidRequest('subject_token was issued to a client whose tokens this client may not exchange');
  }
  // An ID token's audience is the client it was issued to (checked above); a foreign token's only when the host names one.
  if (subject.kind === 'id_token' || (subject.kind === 'foreign' && subject.audiences.length === 0)) return;
  const accepted = policy.subjectTokenAudiences.length ? policy.subjectTokenAudiences : ownAudiences(ctx, client);
  if (!accepted.includes('*') && !subject.audiences.some((a) => accepted.includes(a))) {
    throw new InvalidRequest('subject_token is not for an audience this client may exchange tokens of');
  }
}

/** RFC 8693 §4.4: may_act names the party (sub, and iss when given; else the subject token's issuer) that may act. */
function mayActAllows(ctx: ProviderContext, subject: PresentedToken, party: { sub: string; iss: string | undefined }): boolean {
  const mayAct = subject.mayAct;
  if (!mayAct) return true;
  const iss = typeof mayAct.iss === 'string' ? mayAct.iss : (subject.issuer ?? ctx.issuer);
  return mayAct.sub === party.sub && iss === (party.iss ?? ctx.issuer);
}

/**
 * Impersonation (no actor_token) and delegation (actor_token) as the policy
 * allows them; with may_act in the subject token only the party it names may
 * act: the actor, or without an actor the client itself.
 */
export function checkActing(
  ctx: ProviderContext,
  client: Client,
  policy: TokenExchangePolicy,
  subject: PresentedToken,
  actor: PresentedToken | undefined,
): void {
  if (!actor) {
    if (!policy.impersonation) throw new InvalidRequest('this client may not exchange tokens without actor_token (impersonation is not allowed)');
    if (!mayActAllows(ctx, subject, { sub: client.clientId, iss: ctx.issuer })) {
      throw new InvalidRequest('the subject_token does not allow this client to act for its subject (may_act)');
    }
    return;
  }
  if (!policy.delegation) throw new InvalidRequest('this client may not exchange tokens with actor_token (delegation is not allowed)');
  if (!mayActAllows(ctx, subject, { sub: actor.subject, iss: actor.issuer })) {
    throw new InvalidRequest('the actor_token names a party the subject_token does not allow to act (may_act)');
  }
}

function depth(act: Record<string, unknown> | undefined): number {
  let n = 0;
  for (let a = act; a; a = typeof a.act === 'object' && a.act !== null ? (a.act as Record<string, unknown>) : undefined) n++;
  return n;
}

/**
 * RFC 8693 §4.1: the `act` claim of the exchanged token. Delegation names
 * the actor (sub, and iss when it is not ours); the actors before it are
 * nested: the actor token's own `act` when it has one, else the subject
 * token's. Impersonation keeps the subject token's `act`, so a delegated
 * token does not turn into a plain one by being exchanged.
 */
export function actClaim(ctx: ProviderContext, subject: PresentedToken, actor: PresentedToken | undefined): Record<string, unknown> | undefined {
  if (!actor) return subject.act;
  const prior = actor.act ?? subject.act;
  if (depth(prior) + 1 > MAX_ACT_DEPTH) throw new InvalidRequest(`the delegation chain is longer than ${MAX_ACT_DEPTH} actors`);
  const act: Record<string, unknown> = { sub: actor.subject };
  if (actor.issuer !== undefined && actor.issuer !== ctx.issuer) act.iss = actor.issuer;
  if (prior) act.act = prior;
  return act;
}

/**
 * RFC 8693 §2.1 `audience` (logical names) and RFC 8707 `resource`: both
 * name API resources here. RFC 8693 §2.2.2: a target the policy does not
 * allow is invalid_target.
 */
export function requestedTargets(policy: TokenExchangePolicy, audiences: readonly string[], resources: readonly string[]): string[] {
  const targets = [...new Set([...audiences, ...resources])];
  // As at the authorization endpoint: a bounded number of distinct targets.
  if (targets.length > MAX_TARGETS) throw new InvalidTarget(`at most ${MAX_TARGETS} distinct audience and resource values`);
  const allowed = policy.allowedAudiences;
  if (allowed.length) {
    const outside = targets.find((t) => !allowed.includes(t));
    if (outside !== undefined) throw new InvalidTarget(`this client may not exchange tokens for the target ${outside.slice(0, 100)}`);
  }
  return targets;
}

/** The audiences the exchanged token gets: without requested targets, those the scopes reach that the policy allows. */
export function allowedAudiencesOf(policy: TokenExchangePolicy, reached: readonly string[]): string[] {
  const allowed = policy.allowedAudiences;
  if (!allowed.length) return [...reached];
  const kept = reached.filter((a) => allowed.includes(a));
  if (reached.length && !kept.length) throw new InvalidTarget('the granted scopes reach no audience this client may exchange tokens for');
  return kept;
}
