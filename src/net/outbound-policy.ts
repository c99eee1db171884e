/**
 * Outbound policies: which URLs and addresses a fetch may reach and within
 * which limits. Three presets cover the server's callers:
 * - strict (the default): URLs a client or a stranger supplies (a registered
 *   client's jwks_uri, sector_identifier_uri, request_uri, a Client ID
 *   Metadata Document): https only, public addresses only;
 * - loopback (the demo): as strict, plus loopback addresses, so the demo can
 *   fetch from https://localhost;
 * - trusted: URLs the operator configured (a configured client's jwksUri, the
 *   resource server's issuer): any address, the limits still apply.
 */
import { classifyAddress, type AddressClass } from './address-rules.js';

/** Resolves a host name to all its addresses (A and AAAA). Injectable for tests. */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface OutboundPolicy {
  /** Milliseconds for the whole exchange: resolving, connecting, headers and body (default 5000). */
  timeoutMs?: number;
  /** Largest body accepted, in bytes (default 256 KiB). */
  maxBytes?: number;
  /** Allow http URLs besides https (default false). */
  allowHttp?: boolean;
  /** Operator-configured URLs: every address is allowed (the limits still apply). */
  trusted?: boolean;
  /** Also allow loopback addresses (127/8, ::1 and their IPv4-mapped forms). */
  allowLoopback?: boolean;
  /** Also allow private networks: RFC 1918, fc00::/7, fec0::/10 and 100.64/10 (never loopback or link-local). */
  allowPrivateNetworks?: boolean;
  /** Name resolution (default: the system resolver, all addresses). */
  resolve?: Resolver;
  /** Extra trusted CA certificates (PEM) besides the system's; NODE_EXTRA_CA_CERTS applies when unset. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_BYTES = 256 * 1024;

/** The outbound settings of the configuration file (`outbound`). */
export interface OutboundSettings {
  timeout: number;
  maxBytes: number;
  allowPrivateNetworks: boolean;
}

/** For URLs the operator configured: any address, http allowed, the configured limits. */
export function trustedPolicy(settings?: OutboundSettings): OutboundPolicy {
  return { trusted: true, allowHttp: true, timeoutMs: settings?.timeout, maxBytes: settings?.maxBytes };
}

/** For URLs a client or a stranger supplies: https, public addresses (private ones too when configured). */
export function strictPolicy(settings?: OutboundSettings): OutboundPolicy {
  return { timeoutMs: settings?.timeout, maxBytes: settings?.maxBytes, allowPrivateNetworks: settings?.allowPrivateNetworks ?? false };
}

/** The demo's exception: as strict, plus loopback (https://localhost with NODE_EXTRA_CA_CERTS trust). */
export function loopbackPolicy(settings?: OutboundSettings): OutboundPolicy {
  return { ...strictPolicy(settings), allowLoopback: true };
}

const PRIVATE: ReadonlySet<AddressClass> = new Set(['private', 'shared']);

/** Whether `policy` lets a request connect to `address`; the refused address's class otherwise. */
export function addressVerdict(policy: OutboundPolicy, address: string): { ok: true } | { ok: false; cls: AddressClass } {
  const cls = classifyAddress(address);
  if (policy.trusted && cls !== 'invalid') return { ok: true };
  if (cls === 'public') return { ok: true };
  if (cls === 'loopback' && policy.allowLoopback) return { ok: true };
  if (PRIVATE.has(cls) && policy.allowPrivateNetworks) return { ok: true };
  return { ok: false, cls };
}
