/**
 * Local accounts of external identities. Each upstream (issuer, subject) is
 * linked to exactly one local subject, stable across sign-ins; a first
 * sign-in provisions a new local user just in time (claims through the
 * provider's claim mapping). An email address alone NEVER links to an existing
 * account: a link to an existing account is made only for a subject that
 * proved its password in the same browser (federation routes, intent `link`).
 */
import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../context.js';
import type { ExternalLink, FederationStore } from '../stores/types.js';
import type { ResolvedProvider } from './presets.js';
import type { UpstreamIdentity } from './upstream-client.js';

/** The provider's claim mapping applied to the upstream claims (local name -> upstream name). */
export function mapClaims(p: ResolvedProvider, upstream: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [local, remote] of Object.entries(p.claimMapping)) {
    const v = upstream[remote];
    if (v !== undefined && v !== null && v !== '') out[local] = v;
  }
  return out;
}

/** The local subject of an external identity: its link, or a new user provisioned just in time. */
export async function subjectFor(
  ctx: ProviderContext,
  store: FederationStore,
  p: ResolvedProvider,
  id: UpstreamIdentity,
): Promise<{ subjectId: string; created: boolean }> {
  const claims = mapClaims(p, id.claims);
  const link = await store.findLink(id.issuer, id.subject);
  const now = ctx.clock.now();
  if (link) {
    const user = await ctx.backend.users.findBySubject(link.subjectId);
    // Claims follow the upstream at each sign-in (name, email changes); local-only claims stay.
    if (user) await ctx.backend.users.update(link.subjectId, { claims: { ...user.claims, ...claims }, updatedAt: now });
    return { subjectId: link.subjectId, created: false };
  }
  const subjectId = randomUUID();
  // A username nobody can sign in with by password ('!' is no argon2 hash).
  const username = `${p.name}:${id.subject}`.slice(0, 255);
  const inserted = await ctx.backend.users.insert({ subjectId, username, passwordHash: '!', claims, isActive: true, createdAt: now, updatedAt: now });
  if (!inserted) {
    const existing = await ctx.backend.users.findByUsername(username);
    if (!existing) throw new Error('provisioning the external account failed');
  }
  if (!(await store.addLink({ provider: p.name, issuer: id.issuer, externalSubject: id.subject, subjectId, createdAt: now }))) {
    // A parallel first sign-in won the race: use its subject.
    const winner = await store.findLink(id.issuer, id.subject);
    if (winner) return { subjectId: winner.subjectId, created: false };
    throw new Error('linking the external account failed');
  }
  return { subjectId, created: true };
}

/** Links an external identity to a local subject that proved itself; refused when the identity is linked elsewhere. */
export async function linkTo(
  ctx: ProviderContext,
  store: FederationStore,
  p: ResolvedProvider,
  id: UpstreamIdentity,
  subjectId: string,
): Promise<'linked' | 'already_linked' | 'linked_elsewhere'> {
  const link = await store.findLink(id.issuer, id.subject);
  if (link) return link.subjectId === subjectId ? 'already_linked' : 'linked_elsewhere';
  const ok = await store.addLink({ provider: p.name, issuer: id.issuer, externalSubject: id.subject, subjectId, createdAt: ctx.clock.now() });
  return ok ? 'linked' : 'linked_elsewhere';
}

export type { ExternalLink };
