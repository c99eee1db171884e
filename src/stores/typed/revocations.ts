/**
 * Revocation markers: revoked JWT access token ids (kind 'revoked_jti', read
 * by introspection) and revoked grant families (kind 'revoked_grant', read by
 * a redemption that raced the revocation).
 */
import type { OperationalStore } from '../types.js';

export interface RevocationStore {
  /** Marks a JWT access token id revoked until `until`. */
  revokeJti(jti: string, clientId: string | undefined, now: number, until: number): Promise<void>;
  isJtiRevoked(jti: string): Promise<boolean>;
  /** Marks a grant family revoked until `until`. */
  revokeGrant(grantId: string, now: number, until: number): Promise<void>;
  /** True while a live marker exists for the family. */
  isGrantRevoked(grantId: string, now: number): Promise<boolean>;
}

export function revocationStore(records: OperationalStore): RevocationStore {
  return {
    revokeJti: (jti, clientId, now, until) => records.put({ kind: 'revoked_jti', id: jti, clientId, createdAt: now, expiresAt: until, payload: {} }),
    isJtiRevoked: async (jti) => (await records.find('revoked_jti', jti)) !== undefined,
    revokeGrant: (grantId, now, until) => records.put({ kind: 'revoked_grant', id: grantId, createdAt: now, expiresAt: until, payload: {} }),
    async isGrantRevoked(grantId, now) {
      const marker = await records.find('revoked_grant', grantId);
      return marker !== undefined && marker.expiresAt > now;
    },
  };
}
