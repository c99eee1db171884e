/**
 * Client secrets as configured (IdentityServer's `Secret`): hashing and
 * constant-time matching. SharedSecret values are stored as the base64
 * SHA-256 of the secret; SymmetricKey values are stored in plain text
 * because client_secret_jwt needs them as the HMAC key (RFC 7523 §2.2).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretConfig } from '../config/schema.js';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The stored form of a shared secret: base64 SHA-256 of its UTF-8 bytes,
 * like IdentityServer's `"secret".Sha256()`.
 *
 * @example
 * hashSecret('secret'); // 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols='
 */
export function hashSecret(plain: string): string {
  return sha256(plain).toString('base64');
}

/** Epoch seconds at which a secret stops being accepted; undefined when it never expires. */
export function secretExpiresAt(secret: SecretConfig): number | undefined {
  if (secret.expiration === undefined) return undefined;
  const ms = Date.parse(secret.expiration);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Is the secret usable at `now` (epoch seconds)? */
export function isSecretActive(secret: SecretConfig, now: number): boolean {
  const expiresAt = secretExpiresAt(secret);
  return expiresAt === undefined || now < expiresAt;
}

/** Constant-time: SHA-256 of the presented secret against one stored secret. */
function matchesOne(secret: SecretConfig, presentedDigest: Buffer): boolean {
  const stored = secret.type === 'SymmetricKey' ? sha256(secret.value) : Buffer.from(secret.value, 'base64');
  // A stored SharedSecret that is not a 32-byte base64 digest can never match.
  if (stored.length !== presentedDigest.length) return false;
  return timingSafeEqual(stored, presentedDigest);
}

function matchesAny(secrets: readonly SecretConfig[], presented: string, keep: (s: SecretConfig) => boolean): boolean {
  const digest = sha256(presented);
  let found = false;
  // Every candidate is compared (no early exit) so timing does not tell which one matched.
  for (const secret of secrets) if (keep(secret) && matchesOne(secret, digest)) found = true;
  return found;
}

/**
 * Does the presented plain secret match one of the client's unexpired secrets?
 *
 * @example
 * matchesSecret([{ type: 'SharedSecret', value: hashSecret('s3cret') }], 's3cret', clock.now()); // true
 */
export function matchesSecret(secrets: readonly SecretConfig[], presented: string, now: number): boolean {
  return matchesAny(secrets, presented, (s) => isSecretActive(s, now));
}

/**
 * Does the presented secret match a secret that has expired? Used to answer
 * "client secret expired" only to a caller who knows the secret, so the
 * message reveals nothing to someone guessing client ids.
 */
export function matchesExpiredSecret(secrets: readonly SecretConfig[], presented: string, now: number): boolean {
  return matchesAny(secrets, presented, (s) => !isSecretActive(s, now));
}

/**
 * Has the client at least one unexpired secret (of the given type, if any)?
 *
 * @example
 * if (!hasUsableSecret(client.clientSecrets, now)) logger.warn('every secret of the client expired');
 */
export function hasUsableSecret(secrets: readonly SecretConfig[], now: number, type?: SecretConfig['type']): boolean {
  return secrets.some((s) => (type === undefined || s.type === type) && isSecretActive(s, now));
}
