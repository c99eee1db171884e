/** Domain types: the compiled configuration that request handlers use. */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { ApiResourceConfig, ApiScopeConfig, ClientConfig, IdentityResourceConfig, SigningAlgorithm, TokenEndpointAuthMethod } from '../config/schema.js';

/** Time source in epoch seconds; injected so expiry is testable without sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Math.floor(Date.now() / 1000) };

/** A client compiled for fast lookups. */
export interface Client extends ClientConfig {
  /** Methods this client may use at the token, introspection and revocation endpoints. */
  authMethods: ReadonlySet<TokenEndpointAuthMethod>;
  /** No secret, no keys: authenticates with `none`. */
  isPublic: boolean;
  /** Seconds; resolved from the config (default 10 confidential, 0 public). */
  refreshTokenRetryWindow: number;
  grantTypeSet: ReadonlySet<string>;
  scopeSet: ReadonlySet<string>;
  redirectUriSet: ReadonlySet<string>;
  corsOriginSet: ReadonlySet<string>;
}

export type IdentityResource = IdentityResourceConfig;
export type ApiScope = ApiScopeConfig;
export type ApiResource = ApiResourceConfig;

/** Identity resources, API scopes and API resources compiled into lookup maps. */
export interface Resources {
  identity: ReadonlyMap<string, IdentityResource>;
  apiScopes: ReadonlyMap<string, ApiScope>;
  apiResources: ReadonlyMap<string, ApiResource>;
  /** API resources that contain a scope. */
  resourcesByScope: ReadonlyMap<string, readonly ApiResource[]>;
}

/** A signing key ready for use. */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
  /** The same private key as a node:crypto KeyObject, for the synchronous signing path. */
  privateKeyObject: KeyObject;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** Key status at a point in time (IdentityServer's automatic key management). */
export type KeyStatus = 'announced' | 'active' | 'retired' | 'expired';

export interface KeyInfo {
  kid: string;
  alg: SigningAlgorithm;
  status: KeyStatus;
  createdAt: number;
  activatesAt: number;
  retiresAt: number;
  /** When it leaves the JWKS (retiresAt + retention). */
  removedAt: number;
}

/** Signing keys: created, rotated and published. */
export interface KeyManager {
  /** Loads keys from the store, creating/rotating as due. Call once before serving. */
  start(): Promise<void>;
  /** Stops background refresh. */
  stop(): void;
  /** The key that signs now for an algorithm (default: the first configured). Synchronous. */
  signingKey(alg?: SigningAlgorithm): SigningKey;
  /** The published JWK Set as ready bytes (rebuilt when keys change). */
  jwksBytes(): Uint8Array;
  /** A published public key by kid (to verify our own tokens). */
  publicKey(kid: string): CryptoKey | undefined;
  /** Re-reads the store; creates, rotates and removes keys as the timeline says. */
  refresh(): Promise<void>;
  /** Starts a rotation now: a new key per algorithm, announced for propagationTime. */
  rotate(): Promise<KeyInfo[]>;
  /** Every stored key with its status now. */
  list(): Promise<KeyInfo[]>;
  /** Called after the key set changed (the discovery/JWKS caches listen). */
  onChange(listener: () => void): void;
  /** The server's published encryption keys (`use: "enc"`; alg RSA-OAEP-256 or ECDH-ES): JWEs sent to the server (request objects) are decrypted with them. */
  encryptionKeys?(): SigningKey[];
}

/** A user as the protocol sees it. */
export interface User {
  subjectId: string;
  username: string;
  isActive: boolean;
  claims: Record<string, unknown>;
}

/**
 * `locked_out`: this address failed too often for this username (soft lockout);
 * `rate_limited`: the username's ceiling across all addresses is reached (answer 429).
 */
export type LoginResult =
  { ok: true; user: User } | { ok: false; reason: 'invalid_credentials' | 'locked_out' | 'rate_limited' | 'inactive'; retryAfter?: number };

/**
 * Users: the user store (a host's, or configured test users and the SQL user
 * table) behind one login with lockout.
 */
export interface UserService {
  /**
   * Verifies a password with the soft lockout per username and client
   * `address` (InternalRequest.ip; undefined: the unknown address); one
   * generic failure for unknown user and wrong password.
   */
  login(username: string, password: string, address?: string): Promise<LoginResult>;
  /**
   * Counts a failed attempt that is not a password (a wrong second factor)
   * against the same lockout and ceiling; the seconds the address must now
   * wait (0 when it may try again at once).
   */
  recordFailure(username: string, address?: string): Promise<number>;
  /** Seconds `address` must wait before trying the username again (0: it may try now). */
  lockedFor(username: string, address?: string): Promise<number>;
  findBySubject(subjectId: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<User | undefined>;
  isActive(subjectId: string): Promise<boolean>;
  /** The user store behind this service (extensions/user-store.ts). */
  store: UserStore;
}

import type { UserStore } from '../extensions/user-store.js';

/** Events for auditing and metrics: the typed union lives in events/types.ts. */
export type { EmitEvent, EventSink, GatehouseEvent } from '../events/types.js';
