/**
 * The scopes of an exchanged token: never more than the subject token
 * carries (RFC 8693 §2.1 `scope`, §5: the exchange must not widen access),
 * intersected with what the client may request (RFC 6749 §3.3).
 */
import { InvalidScope } from '../errors.js';
import type { Client, Resources } from '../model/types.js';
import { validateScopes, type ValidatedScopes } from '../model/validate-scopes.js';
import type { PresentedToken } from '../tokens/subject-token.js';

/**
 * The most the subject allows: its scopes; an ID token or a foreign token
 * without scopes carries none of its own, so the client's allowed scopes.
 */
function ceilingOf(subject: PresentedToken, client: Client): readonly string[] {
  return subject.scopes ?? client.allowedScopes;
}

/**
 * Requested scope ⊆ subject scopes ∩ client's allowed scopes; no scope
 * requested means that whole intersection. No refresh token is issued, so
 * offline_access is never part of it.
 *
 * @example exchangeScopes(ctx.resources, client, subject, ['api'], ['api'])
 */
export function exchangeScopes(
  resources: Resources,
  client: Client,
  subject: PresentedToken,
  requested: readonly string[],
  resourceIndicators: readonly string[],
): ValidatedScopes {
  const ceiling = ceilingOf(subject, client);
  if (requested.includes('offline_access')) throw new InvalidScope('token exchange issues no refresh token; offline_access cannot be requested');
  const outside = requested.find((s) => !ceiling.includes(s));
  if (outside !== undefined) throw new InvalidScope(`scope ${outside.slice(0, 100)} exceeds the scopes of the subject_token`);
  // A token of a client itself has no user: identity scopes mean nothing there (RFC 6749 §4.4).
  const apiOnly = subject.clientSubject;
  const scopes = requested.length
    ? requested
    : ceiling.filter((s) => s !== 'offline_access' && client.scopeSet.has(s) && (!apiOnly || !resources.identity.has(s)));
  if (!scopes.length) throw new InvalidScope('the subject_token carries no scope this client may request');
  const granted = validateScopes(resources, client, { requested: scopes, resourceIndicators, apiOnly });
  if (!granted.scopes.length) throw new InvalidScope('no scope of the subject_token reaches the requested target');
  return granted;
}
