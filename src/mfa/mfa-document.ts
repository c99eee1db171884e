/**
 * The shape of a user's multi-factor data, as one JSON document per subject
 * in the user store's database (stores/types.ts UserMfaTable): the TOTP
 * factor (secret sealed under the key-encryption key), recovery code hashes,
 * passkeys, and the secret that keys "remember this device" cookies.
 */

export interface TotpFactor {
  /** The base32 secret sealed by secret-box.ts (AES-256-GCM under the KEK). */
  sealedSecret: string;
  createdAt: number;
  /** The last accepted time step (RFC 6238 §5.2: a step is accepted once). */
  lastStep?: number;
}

/** A registered WebAuthn credential (a passkey). */
export interface PasskeyRecord {
  /** Credential id, base64url (WebAuthn §6.1 credentialId). */
  id: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** Signature counter (WebAuthn §6.1.1), checked and advanced on each use. */
  counter: number;
  transports?: string[];
  /** The user's name for it ("work laptop"). */
  name: string;
  createdAt: number;
  lastUsedAt?: number;
  /** Backup eligible / synced (WebAuthn §6.1 flags BE/BS). */
  backedUp?: boolean;
}

export interface MfaDocument {
  totp?: TotpFactor;
  /** A TOTP secret being set up (shown as QR code), not yet confirmed by a code. */
  pendingTotp?: { sealedSecret: string; createdAt: number };
  /** SHA-256 (hex) of the unused recovery codes. */
  recoveryCodes?: string[];
  passkeys?: PasskeyRecord[];
  /** Random key material of this user's "remember this device" cookies; replacing it forgets every device. */
  deviceSecret?: string;
  /** The user must sign in with a second factor (per-user policy). */
  required?: boolean;
}

/** Whether the user has a factor to sign in with beyond the password. */
export const hasSecondFactor = (doc: MfaDocument): boolean => Boolean(doc.totp || doc.passkeys?.length);

/** Parses a stored document; an unreadable one counts as empty (never a 5xx for one bad row). */
export function parseMfaDocument(json: string | undefined): MfaDocument {
  if (!json) return {};
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}
