/**
 * Narrow storage interfaces. Backends: memory (tests), sqlite (embedded
 * default), postgres (shared by many nodes), postgres+redis (ephemeral records
 * in Redis, change notifications over Redis pub/sub).
 * All times are epoch seconds.
 */

/**
 * Kinds of operational records: a closed set, each with its typed store
 * (stores/typed/; interactions: interaction/interaction-store.ts).
 */
export type RecordKind =
  | 'authorization_code'
  | 'refresh_token'
  | 'reference_token'
  | 'consent'
  | 'session'
  | 'interaction'
  | 'replay'
  | 'lockout'
  /** A revoked JWT access token id (introspection answers inactive). */
  | 'revoked_jti'
  /** A revoked grant family (a redemption racing the revocation revokes what it issued). */
  | 'revoked_grant'
  /** A CIBA backchannel authentication request (id = hash of the auth_req_id). */
  | 'ciba_request'
  /** RFC 8628: a device authorization (id = hash of the device code); consumed once when the device redeems it. */
  | 'device_code'
  /** RFC 8628 §6.1: the user code of a device authorization (id = hash of the normalised code); consumed once by the user's decision. */
  | 'user_code'
  /** RFC 8628 §3.5: when a device last polled and its current interval (slow_down). */
  | 'device_poll'
  /** A dynamically registered client (RFC 7591); durable, id = client_id. */
  | 'registered_client'
  /** An initial access token for registration (RFC 7591 §3); id = its hash. */
  | 'initial_access_token'
  /** A self-registration waiting for its email link (id = hash of the link's token; docs/account.md). */
  | 'account_registration'
  /** A password reset link (id = hash of the link's token; subjectId = the user). */
  | 'password_reset'
  /** A pushed authorization request (RFC 9126), single use. */
  | 'pushed_authorization_request'
  /** An upstream sign-in in flight or a federated session's upstream logout data (federation/). */
  | 'federation_request'
  /** A WebAuthn challenge (id = hash of the browser cookie's handle), single use (mfa/webauthn-challenges.ts). */
  | 'webauthn_challenge';

/**
 * One operational record. `id` is the storage key: for handles given to
 * clients it is the hash of the handle (see tokens/handles.ts), never the handle.
 */
export interface StoredRecord<P = unknown> {
  kind: RecordKind;
  id: string;
  subjectId?: string;
  sessionId?: string;
  clientId?: string;
  /** Family id: everything issued from one authorization grant shares it. */
  grantId?: string;
  /**
   * Further clients the record belongs to (the clients of an SSO session).
   * Indexed by every store, so {@link RecordFilter.clientIdsInclude} finds
   * the records of a client exactly, however many there are.
   */
  clientIds?: string[];
  createdAt: number;
  expiresAt: number;
  consumedAt?: number;
  payload: P;
}

/** Which records {@link OperationalStore.findMany} returns: every given field must match. */
export interface RecordFilter {
  subjectId?: string;
  sessionId?: string;
  clientId?: string;
  /** One grant family (refresh tokens and codes of one authorization). */
  grantId?: string;
  /** Only records whose {@link StoredRecord.clientIds} include this client. */
  clientIdsInclude?: string;
  /** Only records with expiresAt <= this time. */
  expiredAt?: number;
  /** At most this many (default and cap 1000). */
  limit?: number;
  /**
   * Only records after this one in the result order (createdAt, then id):
   * the cursor of the next page, so a caller reads more than one page exactly.
   */
  after?: { createdAt: number; id: string };
}

/** Default and cap of {@link RecordFilter.limit}. */
export const FIND_MANY_LIMIT = 1000;

export interface OperationalStore {
  /** Insert or replace. */
  put(rec: StoredRecord): Promise<void>;
  /** Insert only when (kind, id) is absent or expired; true when inserted. Atomic (replay detection). */
  insertIfAbsent(rec: StoredRecord, now: number): Promise<boolean>;
  /** The record, consumed or not; undefined when absent. Expiry is the caller's check. */
  find<P = unknown>(kind: RecordKind, id: string): Promise<StoredRecord<P> | undefined>;
  /**
   * Marks the record consumed and returns it, to exactly one caller even under
   * concurrency; undefined when absent or already consumed.
   */
  consume<P = unknown>(kind: RecordKind, id: string, now: number): Promise<StoredRecord<P> | undefined>;
  /**
   * Records of one kind matching the filter, consumed or not, expired or not,
   * ordered by createdAt then id (oldest first). Used by session management
   * (sessions of a user, of a sid) and by revocation (tokens of a session).
   */
  findMany<P = unknown>(kind: RecordKind, filter?: RecordFilter): Promise<StoredRecord<P>[]>;
  /** Deletes one record; true when it existed. */
  delete(kind: RecordKind, id: string): Promise<boolean>;
  /** Deletes every record of a grant family; the number deleted. */
  deleteByGrantId(grantId: string): Promise<number>;
  /** Deletes records of a subject, optionally only of one client and/or kind. */
  deleteBySubject(subjectId: string, filter?: { clientId?: string; kind?: RecordKind }): Promise<number>;
  /** Deletes records of a session id, optionally only of one kind. */
  deleteBySession(sessionId: string, filter?: { kind?: RecordKind }): Promise<number>;
  /** Deletes records with expiresAt <= now; the number deleted. */
  purgeExpired(now: number): Promise<number>;
  /** Optional: records of a kind not yet expired (metrics, e.g. active sessions). */
  countActive?(kind: RecordKind, now: number): Promise<number>;
  /**
   * Applies puts and deletes in order, all or none: when it rejects, none of
   * the writes is visible. Required of every backend (SQLite, PostgreSQL: one
   * transaction; memory: applied synchronously; the split store: see
   * stores/split-records.ts for the order across its two databases).
   */
  writeAll(writes: readonly RecordWrite[]): Promise<void>;
}

/** One write of a {@link OperationalStore.writeAll} batch. */
export type RecordWrite = { put: StoredRecord } | { delete: { kind: RecordKind; id: string } };

/**
 * One entry of the durable outbox: work a node accepted (a back-channel
 * logout to deliver) that any node may carry out. Times are epoch
 * milliseconds (retries are scheduled in sub-second steps).
 */
export interface OutboxEntry<P = unknown> {
  id: string;
  /** What the entry is (`back_channel_logout`). */
  kind: string;
  payload: P;
  /** Attempts made so far. */
  attempts: number;
  /** Not to be tried before this time. */
  dueAt: number;
  createdAt: number;
}

/** An entry as a claim returns it: leased to the claimer until `leaseUntil`. */
export interface ClaimedOutboxEntry<P = unknown> extends OutboxEntry<P> {
  /** The claimer's lease token: {@link OutboxStore.complete} and {@link OutboxStore.retry} need it. */
  lease: string;
  leaseUntil: number;
}

/**
 * The durable outbox shared by every node. A claim leases entries with a
 * compare-and-set, so while a lease runs exactly one node holds an entry;
 * a node that dies leaves the lease to lapse and another node claims it.
 */
export interface OutboxStore {
  /** Adds entries (ids are the caller's, unique). */
  add(entries: readonly OutboxEntry[]): Promise<void>;
  /**
   * Leases up to `limit` entries due at `now` whose lease is absent or has
   * lapsed (only entry `id` when given, only entries of `kind` when given),
   * oldest due first, until `leaseUntil`. Concurrent claims never return the same entry.
   */
  claim<P = unknown>(opts: { now: number; leaseUntil: number; limit: number; id?: string; kind?: string }): Promise<ClaimedOutboxEntry<P>[]>;
  /** Removes an entry (delivered or given up) if `lease` still holds it; true when removed. */
  complete(id: string, lease: string): Promise<boolean>;
  /** Records a failed attempt and releases the lease: the entry is due again at `dueAt`. False when the lease was lost. */
  retry(id: string, lease: string, attempts: number, dueAt: number): Promise<boolean>;
  /** Entries waiting (leased or not), for metrics and tests. */
  size(): Promise<number>;
}

/** A signing key as stored: the private JWK encrypted at rest. */
export interface StoredKey {
  kid: string;
  alg: string;
  /** Public JWK as JSON. */
  publicJwk: string;
  /** Encrypted private key (see keys/key-encryption.ts). */
  encryptedPrivateKey: string;
  createdAt: number;
  /** When it starts signing (createdAt + propagationTime for rotated keys). */
  activatesAt: number;
  /** When it stops signing; set on rotation. */
  retiresAt: number;
}

export interface KeyStore {
  list(): Promise<StoredKey[]>;
  /** Inserts a key; false when a key with that kid exists. */
  insert(key: StoredKey): Promise<boolean>;
  /** Updates retiresAt of a key. */
  setRetiresAt(kid: string, retiresAt: number): Promise<void>;
  delete(kid: string): Promise<void>;
  /**
   * Runs fn while holding a store-wide lock named `name` (for key creation by
   * one node at a time). SQLite: a lock row with an expiry (renewed while fn runs); memory: a promise chain.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A user row of the SQL user store. */
export interface StoredUser {
  subjectId: string;
  username: string;
  passwordHash: string;
  claims: Record<string, unknown>;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface UserTable {
  findByUsername(username: string): Promise<StoredUser | undefined>;
  findBySubject(subjectId: string): Promise<StoredUser | undefined>;
  /** Inserts; false when the username or subject exists. */
  insert(user: StoredUser): Promise<boolean>;
  update(subjectId: string, changes: Partial<Omit<StoredUser, 'subjectId' | 'createdAt'>>): Promise<boolean>;
  list(): Promise<StoredUser[]>;
  /** Deletes the user row; false when unknown. */
  delete(subjectId: string): Promise<boolean>;
}

/** Kinds of configuration document that may live in the database (`gatehouse import`). */
export type ConfigDocumentKind = 'client' | 'identityResource' | 'apiScope' | 'apiResource';

/** One configuration entry as stored: the config-file JSON of that entry. */
export interface ConfigDocument {
  kind: ConfigDocumentKind;
  /** clientId, or the resource/scope name. */
  id: string;
  document: Record<string, unknown>;
}

/** Configuration documents in the database, with a version every node can poll cheaply. */
export interface ConfigDocumentStore {
  /** Every document (ordered by kind, id) and the version they belong to. */
  load(): Promise<{ version: number; documents: ConfigDocument[] }>;
  /** The current version; bumped by every change. */
  version(): Promise<number>;
  /** Replaces the whole set atomically; returns the new version. */
  replaceAll(documents: readonly ConfigDocument[], now: number): Promise<number>;
}

/** The stores a {@link Backend.transact} callback writes through. */
export interface TransactionStores {
  users: UserTable;
  configDocuments: ConfigDocumentStore;
}

/** Change notifications between nodes (Redis pub/sub). */
export interface ChangeFeed {
  publish(topic: ChangeTopic): Promise<void>;
  /** Calls fn on every publication of topic by any node (this one included). */
  subscribe(topic: ChangeTopic, fn: () => void): void;
}

export type ChangeTopic = 'keys' | 'config';

/** A link between an external account (provider, issuer, upstream subject) and a local subject (federation/). */
export interface ExternalLink {
  provider: string;
  issuer: string;
  externalSubject: string;
  subjectId: string;
  createdAt: number;
}

/** A dynamic external provider: its config-file JSON, stored (`gatehouse providers add`). */
export interface StoredProvider {
  name: string;
  document: Record<string, unknown>;
  updatedAt: number;
}

/** External account links and dynamic providers, durable and shared by every node. */
export interface FederationStore {
  findLink(issuer: string, externalSubject: string): Promise<ExternalLink | undefined>;
  /** Inserts a link; false when (issuer, externalSubject) is linked already. */
  addLink(link: ExternalLink): Promise<boolean>;
  linksOf(subjectId: string): Promise<ExternalLink[]>;
  /** Removes the link of a local subject; true when it existed. */
  removeLink(subjectId: string, issuer: string, externalSubject: string): Promise<boolean>;
  listProviders(): Promise<StoredProvider[]>;
  putProvider(provider: StoredProvider): Promise<void>;
  deleteProvider(name: string): Promise<boolean>;
}

/**
 * A user's multi-factor data (TOTP, recovery codes, passkeys) as the store
 * keeps it: an opaque JSON document (src/mfa/ gives it its shape) and a
 * version for compare-and-set, so a used TOTP step, a spent recovery code or
 * a passkey's counter is recorded by exactly one of concurrent sign-ins.
 */
export interface StoredUserMfa {
  subjectId: string;
  /** JSON of the mfa layer's document; secrets inside are encrypted by that layer. */
  data: string;
  /** Starts at 1; each successful write increments it. */
  version: number;
  updatedAt: number;
}

/** Per-user MFA documents (SQL table `user_mfa`, or memory). */
export interface UserMfaTable {
  find(subjectId: string): Promise<StoredUserMfa | undefined>;
  /**
   * Writes `data` when the stored version is `expectedVersion` (0: only when no
   * document exists yet); true when written. Atomic: of concurrent writers
   * with the same expected version exactly one wins.
   */
  put(subjectId: string, data: string, expectedVersion: number, now: number): Promise<boolean>;
  /** Removes the document; true when one existed. */
  delete(subjectId: string): Promise<boolean>;
}

/**
 * One entry of the audit log: a change made through the admin API (or a CLI
 * command that changes state). Secrets are removed before it is written.
 */
export interface AuditEntry {
  /** Unique; with `time` the order of the log. */
  id: string;
  /** Epoch seconds. */
  time: number;
  /** Who: the access token's `sub` and `client_id` (a CLI command: `cli`). */
  actorSubject?: string;
  actorClientId?: string;
  /** What: `client.create`, `client.update`, `client.delete`, `client.secret.rotate`, ... */
  action: string;
  resourceType: string;
  resourceId: string;
  /** The resource before and after the change, without secrets (absent on create / delete). */
  before?: unknown;
  after?: unknown;
  /** From where: the client's address. */
  address?: string;
  requestId?: string;
}

/** Which audit entries {@link AuditLogStore.query} returns: every given field must match. */
export interface AuditFilter {
  action?: string;
  resourceType?: string;
  resourceId?: string;
  /** Matches the actor's subject or client id. */
  actor?: string;
  /** Only entries with time >= since / time < until. */
  since?: number;
  until?: number;
  /** Only entries after this one (the cursor of the next page). */
  after?: { time: number; id: string };
  /** At most this many (default and cap 1000). */
  limit?: number;
}

/** The durable, append-only audit log: entries are added and read, never changed or removed through it. */
export interface AuditLogStore {
  append(entry: AuditEntry): Promise<void>;
  /** Entries matching the filter, oldest first (time, then id). */
  query(filter?: AuditFilter): Promise<AuditEntry[]>;
}

/** A storage backend: every store of one provider. */
export interface Backend {
  records: OperationalStore;
  keys: KeyStore;
  users: UserTable;
  /** Per-user MFA documents; absent on a custom backend without them (MFA then needs a host user store's `mfa`). */
  userMfa?: UserMfaTable;
  /** The durable outbox (back-channel logout deliveries); absent: deliveries stay in the memory of the node. */
  outbox?: OutboxStore;
  /** Configuration documents; absent on backends without them. */
  configDocuments?: ConfigDocumentStore;
  /** External account links and dynamic providers; absent: federation keeps them in this process's memory. */
  federation?: FederationStore;
  /** The audit log of admin changes; absent on a host's backend without one (the admin API then keeps it in memory). */
  auditLog?: AuditLogStore;
  /** Cross-node change notifications; absent without Redis (nodes then poll). */
  changes?: ChangeFeed;
  /**
   * Runs fn in ONE database transaction over the user table and the
   * configuration documents (`gatehouse apply`): all of fn's writes or none.
   * Absent on backends that cannot persist them (memory).
   */
  transact?<T>(fn: (stores: TransactionStores) => Promise<T>): Promise<T>;
  /** Resolves when the store answers; rejects when it is unreachable (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
