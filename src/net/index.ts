/** Outbound requests with time and size limits and SSRF protection (docs/outbound-requests.md). */
export { classifyAddress, type AddressClass } from './address-rules.js';
export { createOutboundFetch, type OutboundFetch, type OutboundInit, type ReadOptions } from './outbound-fetch.js';
export { describeUrl, OutboundError, type OutboundReason } from './outbound-error.js';
export {
  addressVerdict,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  loopbackPolicy,
  strictPolicy,
  trustedPolicy,
  type OutboundPolicy,
  type OutboundSettings,
  type Resolver,
} from './outbound-policy.js';
export { readLimited } from './read-limited.js';
