/**
 * Refusals and their RFC 6750 §3 answers: `WWW-Authenticate` with the
 * error code, a description, `scope` for insufficient_scope, `realm` and
 * RFC 9728 §5.1 `resource_metadata`.
 */
import type { ResourceFailure } from './types.js';

/** A refusal raised while checking a request; turned into a {@link ResourceFailure} at the edge. */
export class Refusal extends Error {
  constructor(
    /** RFC 6750 error code, or undefined for "no credentials" (§3.1). */
    readonly error: string | undefined,
    readonly description: string | undefined,
    readonly status: number,
    readonly extra: { scheme?: string; scope?: string; headers?: Record<string, string>; challenge?: string } = {},
  ) {
    super(description ?? error ?? 'unauthorized');
  }
}

export const invalidToken = (description: string) => new Refusal('invalid_token', description, 401);
export const invalidRequest = (description: string) => new Refusal('invalid_request', description, 400);

export interface ChallengeContext {
  realm?: string;
  resourceMetadataUrl?: string;
  /** Challenges of the other schemes the API accepts (`DPoP algs="ES256"`), offered when no credentials came. */
  otherChallenges: readonly string[];
}

/** quoted-string of RFC 9110 §5.6.4, with characters RFC 6750 §3 does not allow in values dropped. */
function quote(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/** The response for a refusal. */
export function toFailure(r: Refusal, ctx: ChallengeContext): ResourceFailure {
  const params: string[] = [];
  if (ctx.realm !== undefined) params.push(`realm=${quote(ctx.realm)}`);
  if (r.error) params.push(`error=${quote(r.error)}`);
  if (r.error && r.description) params.push(`error_description=${quote(r.description)}`);
  if (r.extra.scope) params.push(`scope=${quote(r.extra.scope)}`);
  if (ctx.resourceMetadataUrl) params.push(`resource_metadata=${quote(ctx.resourceMetadataUrl)}`);
  // The scheme's own auth-params (a proof verifier's `algs="..."`, RFC 9449 §7.1).
  if (r.extra.challenge) params.push(r.extra.challenge);
  const scheme = r.extra.scheme ?? 'Bearer';
  const challenges = [params.length ? `${scheme} ${params.join(', ')}` : scheme];
  if (!r.error) challenges.push(...ctx.otherChallenges);
  const headers: Record<string, string> = {
    'www-authenticate': challenges.join(', '),
    'cache-control': 'no-store',
    ...r.extra.headers,
  };
  let body = '';
  if (r.error) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(r.description ? { error: r.error, error_description: r.description } : { error: r.error });
  }
  return { status: r.status, error: r.error, description: r.description, headers, body };
}

/** 503 when the authorization server cannot be reached: the token may be fine, so no challenge. */
export function unavailable(): ResourceFailure {
  const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the authorization server could not be reached' });
  return {
    status: 503,
    error: 'temporarily_unavailable',
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5' },
    body,
  };
}
