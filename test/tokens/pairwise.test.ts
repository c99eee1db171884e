/**
 * tokens/pairwise.ts: the sector identifier (OIDC Core §8.1), the pairwise
 * sub per sector, and the sealed local subject that lets userinfo find the
 * user behind a pairwise access token (and refuses a tampered or moved one).
 */
import { describe, expect, it } from 'vitest';
import { localSubjectOf, namesSubject, SEALED_SUBJECT_CLAIM, sealSubject, sectorIdentifierOf, subjectFor } from '../../src/tokens/pairwise.js';

const ctx = { config: { subjects: { pairwiseSalt: 'a-test-salt-of-sufficient-length' } } } as Parameters<typeof subjectFor>[0];
const client = (clientId: string, redirectUris: string[], extra: { sectorIdentifierUri?: string; subjectType?: 'public' | 'pairwise' } = {}) => ({
  clientId,
  redirectUris,
  subjectType: 'pairwise' as const,
  ...extra,
});

describe('pairwise subject identifiers', () => {
  it('takes the sector from the sector identifier URI, else the redirect URIs', () => {
    expect(sectorIdentifierOf(client('a', ['https://app.example.com/cb']))).toBe('app.example.com');
    expect(sectorIdentifierOf(client('a', ['https://app.example.com/cb'], { sectorIdentifierUri: 'https://sector.example.org/s.json' }))).toBe(
      'sector.example.org',
    );
    expect(sectorIdentifierOf(client('a', []))).toBe('client:a');
  });

  it('is stable per sector, differs between sectors and subjects, and leaves public clients alone', () => {
    const one = subjectFor(ctx, client('a', ['https://app.example.com/1']), 'alice');
    expect(subjectFor(ctx, client('b', ['https://app.example.com/2']), 'alice')).toBe(one);
    expect(subjectFor(ctx, client('c', ['https://other.example.com/']), 'alice')).not.toBe(one);
    expect(subjectFor(ctx, client('a', ['https://app.example.com/1']), 'bob')).not.toBe(one);
    expect(one).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(subjectFor(ctx, client('p', ['https://app.example.com/1'], { subjectType: 'public' }), 'alice')).toBe('alice');
    expect(namesSubject(ctx, client('b', ['https://app.example.com/2']), one, 'alice')).toBe(true);
    expect(namesSubject(ctx, client('b', ['https://app.example.com/2']), 'alice', 'alice')).toBe(false);
  });

  it('opens a sealed local subject only with its pairwise sub, and never a tampered seal', () => {
    const c = client('a', ['https://app.example.com/1']);
    const claims = { sub: subjectFor(ctx, c, 'alice'), [SEALED_SUBJECT_CLAIM]: sealSubject(ctx, 'alice') };
    expect(localSubjectOf(ctx, c, claims)).toBe('alice');
    // Bob's seal under Alice's pairwise sub (a seal moved between tokens) does not open.
    expect(localSubjectOf(ctx, c, { ...claims, [SEALED_SUBJECT_CLAIM]: sealSubject(ctx, 'bob') })).toBeUndefined();
    const raw = Buffer.from(claims[SEALED_SUBJECT_CLAIM], 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(localSubjectOf(ctx, c, { ...claims, [SEALED_SUBJECT_CLAIM]: raw.toString('base64url') })).toBeUndefined();
    expect(localSubjectOf(ctx, c, { sub: claims.sub })).toBeUndefined();
    // Another sector's client cannot use this token's seal either.
    expect(localSubjectOf(ctx, client('x', ['https://other.example.com/']), claims)).toBeUndefined();
  });
});
