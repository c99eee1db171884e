/**
 * The provider's DPoP state, built once per provider (no module state): the
 * accepted algorithms and proof lifetime from `dpop` in the configuration,
 * the replay store over the operational records that every node shares
 * (RFC 9449 §11.1), and the server nonces (§8) whose secret is derived from
 * the key-encryption key, which every node of a deployment holds already
 * (it decrypts the signing keys), so a nonce made by one node holds on all.
 */
import type { DpopConfig } from '../config/dpop-schema.js';
import type { OperationalStore } from '../stores/types.js';
import { checkDpopAlgorithms, type DpopAlgorithm, type DpopPolicy } from './dpop.js';
import { createDpopNonces, deriveNonceSecret, type DpopNonces } from './nonce.js';
import type { ReplayStore } from './replay.js';
import { operationalReplayStore } from './store-replay.js';

export interface DpopContext {
  settings: DpopConfig;
  algorithms: ReadonlySet<DpopAlgorithm>;
  /** `algs="..."` of a `WWW-Authenticate: DPoP` challenge (RFC 9449 §7.1). */
  challengeAlgs: string;
  replay: ReplayStore;
  /** Token endpoint nonces (label `dpop`). */
  nonces: DpopNonces;
  /** The verification policy at `now`, with nonces when `withNonce`. */
  policy(now: number, withNonce: boolean): DpopPolicy;
}

export interface DpopContextInput {
  settings: DpopConfig;
  /** The key-encryption key (keys/load-key-encryption-key.ts): the same on every node. */
  kek: Uint8Array;
  records: Pick<OperationalStore, 'insertIfAbsent'>;
  /** Epoch seconds. */
  clock: () => number;
}

/**
 * @example
 * const dpop = createDpopContext({ settings: config.dpop, kek, records: backend.records, clock: () => clock.now() });
 */
export function createDpopContext(input: DpopContextInput): DpopContext {
  const { settings } = input;
  const algorithms = checkDpopAlgorithms(settings.algorithms);
  const replay = operationalReplayStore(input.records, input.clock);
  const nonces = createDpopNonces({ secret: deriveNonceSecret(input.kek, 'gatehouse dpop nonce v1'), period: settings.noncePeriod, label: 'dpop' });
  return {
    settings,
    algorithms,
    challengeAlgs: `algs="${[...algorithms].join(' ')}"`,
    replay,
    nonces,
    policy: (now, withNonce) => ({
      algorithms,
      maxAge: settings.proofMaxAge,
      leeway: settings.clockTolerance,
      replay,
      nonces: withNonce ? nonces : undefined,
      now,
    }),
  };
}
