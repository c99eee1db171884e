/**
 * CIBA backchannel authentication requests (kind 'ciba_request'). One
 * request is up to three records under the hash of its auth_req_id:
 * - the request itself (written once; consumed when the client redeems it),
 * - its poll state (`poll:` prefix; rewritten on every poll),
 * - the user's decision (`decision:` prefix; inserted once, atomically).
 * Keeping the mutable parts apart means a poll never overwrites a decision or
 * a redemption, and of two decisions (approve in one tab, deny in another)
 * exactly one wins.
 */
import type { OperationalStore, StoredRecord } from '../types.js';
import { findAll } from './find-all.js';

/** What the client asked for (CIBA Core §7.1), as validated by the backchannel authentication endpoint. */
export interface CibaRequestPayload {
  type: 'request';
  scopes: string[];
  /** RFC 8707 resource indicators of the request. */
  resourceIndicators: string[];
  acrValues?: string[];
  bindingMessage?: string;
  /** Seconds the client must wait between polls, as announced (§7.3). */
  interval: number;
  /**
   * Ping mode (§10.2): where and with which bearer token to notify, and the
   * auth_req_id to send. Only ping-mode requests keep the auth_req_id (the
   * notification carries it); it is useless without the client's credentials.
   */
  ping?: { endpoint: string; token: string; authReqId: string };
}

/** The poll state of a request: when the client last polled and the interval it must now keep (§11 slow_down). */
export interface CibaPollPayload {
  type: 'poll';
  lastPolledAt: number;
  interval: number;
}

/** The user's decision on a request. */
export interface CibaDecisionPayload {
  type: 'decision';
  approved: boolean;
  decidedAt: number;
  /** The user's authentication (the signed-in session that approved). */
  authTime?: number;
  amr?: string[];
  acr?: string;
}

export type CibaRequestRecord = StoredRecord<CibaRequestPayload>;
type AnyPayload = CibaRequestPayload | CibaPollPayload | CibaDecisionPayload;

export interface CibaRequestStore {
  create(rec: CibaRequestRecord): Promise<void>;
  /** The request, consumed or not. */
  find(id: string): Promise<CibaRequestRecord | undefined>;
  /** Redeems the request: to exactly one caller (atomic), undefined when absent or redeemed. */
  consume(id: string, now: number): Promise<CibaRequestRecord | undefined>;
  findPoll(id: string): Promise<CibaPollPayload | undefined>;
  putPoll(request: CibaRequestRecord, poll: CibaPollPayload): Promise<void>;
  findDecision(id: string): Promise<CibaDecisionPayload | undefined>;
  /** Records the decision unless one exists; true when this one was recorded. */
  decide(request: CibaRequestRecord, decision: CibaDecisionPayload, now: number): Promise<boolean>;
  /** Requests of a user still waiting for a decision (unexpired, unredeemed), oldest first. */
  pendingOf(subjectId: string, now: number): Promise<CibaRequestRecord[]>;
}

const KIND = 'ciba_request';
const pollId = (id: string) => `poll:${id}`;
const decisionId = (id: string) => `decision:${id}`;

/** A companion record of a request: same owner and lifetime. */
function companion<P>(request: CibaRequestRecord, id: string, payload: P, now: number): StoredRecord<P> {
  return { kind: KIND, id, subjectId: request.subjectId, clientId: request.clientId, createdAt: now, expiresAt: request.expiresAt, payload };
}

export function cibaRequestStore(records: OperationalStore): CibaRequestStore {
  const findTyped = async <P extends AnyPayload>(id: string, type: P['type']): Promise<StoredRecord<P> | undefined> => {
    const rec = await records.find<AnyPayload>(KIND, id);
    return rec?.payload.type === type ? (rec as StoredRecord<P>) : undefined;
  };
  return {
    create: (rec) => records.put(rec),
    find: (id) => findTyped<CibaRequestPayload>(id, 'request'),
    async consume(id, now) {
      const rec = await records.consume<AnyPayload>(KIND, id, now);
      return rec?.payload.type === 'request' ? (rec as CibaRequestRecord) : undefined;
    },
    findPoll: async (id) => (await findTyped<CibaPollPayload>(pollId(id), 'poll'))?.payload,
    putPoll: (request, poll) => records.put(companion(request, pollId(request.id), poll, poll.lastPolledAt)),
    findDecision: async (id) => (await findTyped<CibaDecisionPayload>(decisionId(id), 'decision'))?.payload,
    decide: (request, decision, now) => records.insertIfAbsent(companion(request, decisionId(request.id), decision, now), now),
    async pendingOf(subjectId, now) {
      const all = await findAll<AnyPayload>(records, KIND, { subjectId });
      const decided = new Set(all.filter((r) => r.payload.type === 'decision').map((r) => r.id.slice('decision:'.length)));
      return all.filter((r): r is CibaRequestRecord => r.payload.type === 'request' && r.consumedAt === undefined && r.expiresAt > now && !decided.has(r.id));
    },
  };
}
