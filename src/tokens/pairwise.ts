/**
 * Pairwise subject identifiers (OIDC Core §8, §8.1): a client configured
 * `subjectType: 'pairwise'` sees `sub = SHA-256(sector identifier || local
 * subject || salt)` (base64url), so clients of different sectors cannot
 * correlate a user by `sub`. The sector identifier is the host of the
 * client's `sectorIdentifierUri`, else the host of its redirect URIs (one host,
 * config/pairwise-checks.ts). Everything stored keeps the local subject;
 * only what a client reads (ID token, userinfo, its own introspection, logout
 * token) carries the pairwise one.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { Client } from '../model/types.js';

type SubjectClient = Pick<Client, 'subjectType' | 'sectorIdentifierUri' | 'redirectUris' | 'clientId'>;

/**
 * OIDC Core §8.1: the host of the sector identifier URI, else of the (single-host) redirect URIs.
 *
 * @example sectorIdentifierOf({ redirectUris: ['https://app.example.com/cb'] }) // 'app.example.com'
 */
export function sectorIdentifierOf(client: Pick<Client, 'sectorIdentifierUri' | 'redirectUris' | 'clientId'>): string {
  const source = client.sectorIdentifierUri ?? client.redirectUris[0];
  // A pairwise client without any redirect URI (a grant without the browser) is its own sector.
  if (source === undefined) return `client:${client.clientId}`;
  return new URL(source).host;
}

/**
 * The `sub` a client sees for a local subject: the subject itself for a
 * public client, the pairwise identifier for a pairwise one.
 *
 * @example
 * claims.sub = subjectFor(ctx, client, user.subjectId);
 */
export function subjectFor(ctx: Pick<ProviderContext, 'config'>, client: SubjectClient, localSubject: string): string {
  if (client.subjectType !== 'pairwise') return localSubject;
  const salt = ctx.config.subjects.pairwiseSalt;
  // Refused at config load (config/pairwise-checks.ts); a guard for clients from a host's client store.
  if (salt === undefined) throw new Error(`client ${client.clientId} is pairwise but subjects.pairwiseSalt is not configured`);
  // Lengths are prefixed so that no two (sector, subject) pairs hash the same input.
  const sector = sectorIdentifierOf(client);
  return createHash('sha256').update(`${sector.length}:${sector}${localSubject.length}:${localSubject}`).update(salt).digest('base64url');
}

/** Whether the `sub` a client presented (an id_token_hint's, a `claims` sub value) names this local subject. */
export function namesSubject(ctx: Pick<ProviderContext, 'config'>, client: SubjectClient, presented: string, localSubject: string): boolean {
  return subjectFor(ctx, client, localSubject) === presented;
}

/**
 * The access token claim that carries the local subject of a pairwise
 * client's token, sealed (AES-256-GCM under a key derived from the pairwise
 * salt): the token's `sub` is the pairwise one, which cannot be reversed, and
 * the userinfo endpoint must still find the user. The client cannot read it.
 */
export const SEALED_SUBJECT_CLAIM = 'gh_sub';

function sealingKey(salt: string): Buffer {
  return Buffer.from(hkdfSync('sha256', salt, 'gatehouse', 'pairwise access token subject', 32));
}

/** The local subject sealed for a token of a pairwise client. */
export function sealSubject(ctx: Pick<ProviderContext, 'config'>, localSubject: string): string {
  const salt = ctx.config.subjects.pairwiseSalt;
  if (salt === undefined) throw new Error('subjects.pairwiseSalt is not configured');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(salt), iv);
  const sealed = Buffer.concat([cipher.update(localSubject, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/**
 * The local subject of an access token's claims: `sub` for a public client;
 * for a pairwise client the sealed subject, when it opens and is the one
 * the pairwise `sub` names. Undefined otherwise.
 *
 * @example
 * const local = localSubjectOf(ctx, client, found.claims);
 */
export function localSubjectOf(ctx: Pick<ProviderContext, 'config'>, client: SubjectClient, claims: Record<string, unknown>): string | undefined {
  const sub = claims.sub;
  if (typeof sub !== 'string') return undefined;
  if (client.subjectType !== 'pairwise') return sub;
  const sealed = claims[SEALED_SUBJECT_CLAIM];
  const salt = ctx.config.subjects.pairwiseSalt;
  if (typeof sealed !== 'string' || salt === undefined) return undefined;
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(salt), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const local = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return subjectFor(ctx, client, local) === sub ? local : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local subject an ID token of ours names (an id_token_hint where no
 * browser session is at hand, such as CIBA): its `sub` for a public client;
 * for a pairwise client, the subject of the session its `sid` names, when
 * that session lives and is the user the pairwise `sub` names (the pairwise
 * sub itself cannot be reversed). Undefined otherwise.
 */
export async function hintedLocalSubject(
  ctx: Pick<ProviderContext, 'config' | 'stores'>,
  client: SubjectClient,
  claims: { sub: string; sid?: unknown },
): Promise<string | undefined> {
  if (client.subjectType !== 'pairwise') return claims.sub;
  if (typeof claims.sid !== 'string') return undefined;
  const session = await ctx.stores.sessions.findBySid(claims.sid);
  const local = session?.subjectId;
  return local !== undefined && namesSubject(ctx, client, claims.sub, local) ? local : undefined;
}
