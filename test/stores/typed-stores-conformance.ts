/**
 * Conformance cases for the typed stores (src/stores/typed/), run by
 * runStoreConformance over every backend's record store.
 */
import { describe, expect, it } from 'vitest';
import { createTypedStores, type TypedStores } from '../../src/stores/typed/index.js';
import type { Backend, StoredRecord } from '../../src/stores/types.js';
import type { RefreshTokenPayload } from '../../src/tokens/refresh-token-record.js';
import type { AuthorizationCodePayload } from '../../src/tokens/authorization-code-record.js';
import type { SessionPayload } from '../../src/sessions/session-record.js';
import type { DeviceCodeRecord } from '../../src/stores/typed/device-codes.js';

const refresh = (
  id: string,
  over: Partial<StoredRecord<RefreshTokenPayload>> = {},
  payload: Partial<RefreshTokenPayload> = {},
): StoredRecord<RefreshTokenPayload> => ({
  kind: 'refresh_token',
  id,
  subjectId: 'alice',
  clientId: 'web',
  grantId: 'g1',
  sessionId: 'sid-1',
  createdAt: 1000,
  expiresAt: 5000,
  payload: { scopes: ['openid'], audiences: [], absoluteExpiresAt: 9000, ...payload },
  ...over,
});
const code = (id: string, over: Partial<StoredRecord<AuthorizationCodePayload>> = {}): StoredRecord<AuthorizationCodePayload> => ({
  kind: 'authorization_code',
  id,
  subjectId: 'alice',
  clientId: 'web',
  grantId: 'g1',
  sessionId: 'sid-1',
  createdAt: 1000,
  expiresAt: 1300,
  payload: { redirectUri: 'https://app/cb', scopes: ['openid'], resourceIndicators: [], authTime: 990, amr: ['pwd'] },
  ...over,
});
const session = (id: string, sid: string, clients: string[] = []): StoredRecord<SessionPayload> => ({
  kind: 'session',
  id,
  subjectId: 'alice',
  sessionId: sid,
  clientIds: clients,
  createdAt: 1000,
  expiresAt: 5000,
  payload: { sid, authTime: 1000, amr: ['pwd'], clients, remember: false },
});

export function typedStoreCases(backend: () => Backend): void {
  describe('typed stores', () => {
    const stores = (): TypedStores => createTypedStores(backend().records);

    it('refresh tokens: consume has exactly one winner among many', async () => {
      const s = stores();
      await s.refreshTokens.put(refresh('rt'));
      const results = await Promise.all(Array.from({ length: 20 }, () => s.refreshTokens.consume('rt', 1100)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await s.refreshTokens.find('rt'))?.consumedAt).toBe(1100);
    });
    it('refresh tokens: successorsOf finds the tokens that replaced one, in its family only', async () => {
      const s = stores();
      await s.refreshTokens.put(refresh('rt1'));
      await s.refreshTokens.put(refresh('rt2', { createdAt: 1001 }, { predecessorId: 'rt1' }));
      await s.refreshTokens.put(refresh('rt3', { createdAt: 1002 }, { predecessorId: 'rt2' }));
      await s.refreshTokens.put(refresh('rtx', { grantId: 'g2' }, { predecessorId: 'rt1' }));
      const rt1 = (await s.refreshTokens.find('rt1'))!;
      expect((await s.refreshTokens.successorsOf(rt1)).map((r) => r.id)).toEqual(['rt2']);
      expect((await s.refreshTokens.findMany({ sessionId: 'sid-1' })).map((r) => r.id).sort()).toEqual(['rt1', 'rt2', 'rt3', 'rtx']);
    });
    it('codes: redeemed once; a session end deletes its codes', async () => {
      const s = stores();
      await s.codes.issue(code('c1'));
      await s.codes.issue(code('c2', { sessionId: 'sid-2' }));
      const results = await Promise.all(Array.from({ length: 10 }, () => s.codes.consume('c1', 1100)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await s.codes.findMany({ subjectId: 'alice', clientId: 'web', grantId: 'g1' })).map((r) => r.id).sort()).toEqual(['c1', 'c2']);
      expect(await s.codes.deleteBySession('sid-2')).toBe(1);
      expect(await s.codes.find('c2')).toBeUndefined();
      expect(await s.codes.find('c1')).toBeDefined();
    });
    it('device codes: an approved code is redeemed by exactly one of many; its user code is used once', async () => {
      const s = stores();
      const device: DeviceCodeRecord = {
        kind: 'device_code',
        id: 'dc1',
        clientId: 'tv',
        createdAt: 1000,
        expiresAt: 1300,
        payload: { userCodeId: 'uc1', scopes: ['openid'], resourceIndicators: [], interval: 5 },
      };
      await s.deviceCodes.issue(device, { kind: 'user_code', id: 'uc1', clientId: 'tv', createdAt: 1000, expiresAt: 1300, payload: { deviceCodeId: 'dc1' } });
      expect((await s.deviceCodes.findUserCode('uc1'))?.payload.deviceCodeId).toBe('dc1');
      const uses = await Promise.all(Array.from({ length: 10 }, () => s.deviceCodes.consumeUserCode('uc1', 1010)));
      expect(uses.filter(Boolean)).toHaveLength(1);
      await s.deviceCodes.decide(device, { approved: true, scopes: ['openid'], authTime: 1005, amr: ['pwd'] }, 'alice', 'sid-1');
      const decided = await s.deviceCodes.find('dc1');
      expect([decided?.subjectId, decided?.payload.decision?.approved]).toEqual(['alice', true]);
      const redemptions = await Promise.all(Array.from({ length: 20 }, () => s.deviceCodes.consume('dc1', 1020)));
      expect(redemptions.filter(Boolean)).toHaveLength(1);
      expect((await s.deviceCodes.find('dc1'))?.consumedAt).toBe(1020);
      // The polling state is a record of its own: writing it leaves the redeemed code redeemed.
      await s.deviceCodes.putPollState({ kind: 'device_poll', id: 'dc1', createdAt: 1000, expiresAt: 1300, payload: { lastPolledAt: 1021, interval: 10 } });
      expect((await s.deviceCodes.pollState('dc1'))?.payload).toEqual({ lastPolledAt: 1021, interval: 10 });
      expect(await s.deviceCodes.consume('dc1', 1030)).toBeUndefined();
    });
    it('grant families: deleteFamily removes every kind of one family', async () => {
      const s = stores();
      await s.refreshTokens.put(refresh('rt1'));
      await s.codes.issue(code('c1'));
      await s.referenceTokens.issue({
        kind: 'reference_token',
        id: 'at1',
        subjectId: 'alice',
        clientId: 'web',
        grantId: 'g1',
        createdAt: 1000,
        expiresAt: 2000,
        payload: { claims: { sub: 'alice' } },
      });
      await s.refreshTokens.put(refresh('other', { grantId: 'g2' }));
      expect(await s.grants.deleteFamily('g1')).toBe(3);
      expect(await s.referenceTokens.find('at1')).toBeUndefined();
      expect(await s.refreshTokens.find('other')).toBeDefined();
    });
    it('grants: what a client holds for a user, listed and deleted per client', async () => {
      const s = stores();
      await s.refreshTokens.put(refresh('rt1'));
      await s.consents.put({
        kind: 'consent',
        id: 'k1',
        subjectId: 'alice',
        clientId: 'spa',
        createdAt: 1000,
        expiresAt: 5000,
        payload: { scopes: ['openid'] },
      });
      await s.consents.put({
        kind: 'consent',
        id: 'k2',
        subjectId: 'alice',
        clientId: 'old',
        createdAt: 1000,
        expiresAt: 1200,
        payload: { scopes: ['openid'] },
      });
      expect((await s.grants.clientsHolding('alice', 1500)).sort()).toEqual(['spa', 'web']);
      const removed = await s.grants.deleteHeld('alice', 'web');
      expect(removed.get('refresh_token')).toBe(1);
      expect(removed.get('consent')).toBe(0);
      expect((await s.consents.find('k1'))?.payload.scopes).toEqual(['openid']);
      expect(await s.grants.clientsHolding('alice', 1500)).toEqual(['spa']);
    });
    it('revocation markers: a revoked jti and a revoked grant, the latter until it expires', async () => {
      const s = stores();
      expect(await s.revocations.isJtiRevoked('j1')).toBe(false);
      await s.revocations.revokeJti('j1', 'web', 1000, 2000);
      expect(await s.revocations.isJtiRevoked('j1')).toBe(true);
      await s.revocations.revokeGrant('g1', 1000, 1300);
      expect(await s.revocations.isGrantRevoked('g1', 1299)).toBe(true);
      expect(await s.revocations.isGrantRevoked('g1', 1300)).toBe(false);
      expect(await s.revocations.isGrantRevoked('g2', 1000)).toBe(false);
    });
    it('sessions: by handle id, by sid, by client; deleted once', async () => {
      const s = stores();
      await s.sessions.put(session('h1', 'sid-a', ['web']));
      await s.sessions.put(session('h2', 'sid-b'));
      expect((await s.sessions.findBySid('sid-a'))?.id).toBe('h1');
      expect(await s.sessions.findBySid('sid-z')).toBeUndefined();
      expect((await s.sessions.findPage({ clientIdsInclude: 'web' })).map((r) => r.id)).toEqual(['h1']);
      const deletes = await Promise.all([s.sessions.delete('h1'), s.sessions.delete('h1')]);
      expect(deletes.filter(Boolean)).toHaveLength(1);
      expect(await s.sessions.find('h1')).toBeUndefined();
    });
    it('replay markers: the first mark wins, concurrently too; expired marks may be taken again', async () => {
      const s = stores();
      const marks = await Promise.all(Array.from({ length: 20 }, () => s.replay.markOnce('jti-1', 1000, 1100, 'web')));
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await s.replay.markOnce('jti-1', 1100, 1200)).toBe(true);
    });
    it('pushed authorization requests: taken once, concurrently too, with their parameters', async () => {
      const s = stores();
      const params = { client_id: ['web'], scope: ['openid profile'], resource: ['https://a', 'https://b'] };
      await s.pushedRequests.push({
        kind: 'pushed_authorization_request',
        id: 'par1',
        clientId: 'web',
        createdAt: 1000,
        expiresAt: 1060,
        payload: { params, signed: true },
      });
      const results = await Promise.all(Array.from({ length: 10 }, () => s.pushedRequests.consume('par1', 1010)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ clientId: 'web', expiresAt: 1060, payload: { params, signed: true } });
      expect(await s.pushedRequests.consume('par1', 1011)).toBeUndefined();
      expect(await s.pushedRequests.consume('absent', 1011)).toBeUndefined();
    });
    it('lockout records: put, find, delete', async () => {
      const s = stores();
      await s.lockouts.put({ kind: 'lockout', id: 'alice@x', createdAt: 1000, expiresAt: 2000, payload: { failures: 3 } });
      expect((await s.lockouts.find<{ failures: number }>('alice@x'))?.payload.failures).toBe(3);
      expect(await s.lockouts.delete('alice@x')).toBe(true);
      expect(await s.lockouts.find('alice@x')).toBeUndefined();
    });
    it('writeAll through the typed stores: a single write and a batch', async () => {
      const s = stores();
      await s.writeAll([{ put: session('h1', 'sid-a') }]);
      await s.writeAll([{ put: code('c1') }, { delete: { kind: 'session', id: 'h1' } }]);
      expect(await s.sessions.find('h1')).toBeUndefined();
      expect(await s.codes.find('c1')).toBeDefined();
    });
  });
}
