/**
 * Passkeys (Web Authentication Level 3) with `@simplewebauthn/server`:
 * registration options for a signed-in user (discoverable credentials,
 * attestation `none` by default), assertion options for passwordless sign-in
 * (empty allowCredentials: the authenticator offers its discoverable
 * credentials, §5.5 / §6.2.2) or for a known user's second factor, and the
 * verification of both. The user handle is the subject identifier (§14.6.1:
 * not personally identifying for Gatehouse's numeric subjects; hosts whose
 * subjects are emails should know it reaches the authenticator).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import type { Config } from '../config/schema.js';
import type { PasskeyRecord } from './mfa-document.js';

export interface RelyingParty {
  name: string;
  id: string;
  origins: string[];
}

/** The relying party from `mfa.webauthn` and the issuer (WebAuthn §5.1.4.1 rp.id, §13.4.9 origin check). */
export function relyingParty(config: Config, issuer: string): RelyingParty {
  const w = config.mfa.webauthn;
  const url = new URL(issuer);
  return { name: w.rpName ?? config.ui.productName, id: w.rpId ?? url.hostname, origins: w.origins ?? [url.origin] };
}

const transportsOf = (p: PasskeyRecord) => p.transports as AuthenticatorTransportFuture[] | undefined;

export async function registrationOptions(
  config: Config,
  rp: RelyingParty,
  user: { subjectId: string; username: string; displayName: string },
  existing: readonly PasskeyRecord[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userID: new TextEncoder().encode(user.subjectId),
    userName: user.username,
    userDisplayName: user.displayName,
    attestationType: config.mfa.webauthn.attestation,
    // WebAuthn §5.4.3: the authenticator refuses to create a second credential for the same account.
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: 'required', userVerification: config.mfa.webauthn.userVerification },
  });
}

/** Verifies a registration response against the challenge; the credential to store, or an error message. */
export async function verifyRegistration(
  config: Config,
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  challenge: string,
  now: number,
  name: string,
): Promise<{ ok: true; passkey: PasskeyRecord } | { ok: false; error: string }> {
  try {
    const v = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: config.mfa.webauthn.userVerification === 'required',
    });
    if (!v.verified) return { ok: false, error: 'the registration could not be verified' };
    const c = v.registrationInfo.credential;
    return {
      ok: true,
      passkey: {
        id: c.id,
        publicKey: Buffer.from(c.publicKey).toString('base64url'),
        counter: c.counter,
        transports: c.transports,
        name,
        createdAt: now,
        backedUp: v.registrationInfo.credentialBackedUp,
      },
    };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'invalid registration response' };
  }
}

/** Assertion options: for `passkeys` of a known user (second factor), or none for discoverable credentials (passwordless). */
export function authenticationOptions(config: Config, rp: RelyingParty, passkeys?: readonly PasskeyRecord[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: config.mfa.webauthn.userVerification,
    allowCredentials: passkeys?.map((p) => ({ id: p.id, transports: transportsOf(p) })),
  });
}

/**
 * Verifies an assertion with the stored credential: challenge, origin, rp id
 * hash, signature and the signature counter (WebAuthn §7.2 steps 12-21; a
 * counter that did not grow, when either is non-zero, is refused as a
 * possible clone, step 21). The new counter and user verification on success.
 */
export async function verifyAssertion(
  config: Config,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  challenge: string,
  passkey: PasskeyRecord,
  requireUserVerification = config.mfa.webauthn.userVerification === 'required',
): Promise<{ ok: true; newCounter: number; userVerified: boolean } | { ok: false; error: string }> {
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, 'base64url'), counter: passkey.counter, transports: transportsOf(passkey) },
      requireUserVerification,
    });
    if (!v.verified) return { ok: false, error: 'the assertion could not be verified' };
    return { ok: true, newCounter: v.authenticationInfo.newCounter, userVerified: v.authenticationInfo.userVerified };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : 'invalid assertion' };
  }
}

/** Parses a credential JSON from a form field; undefined when it is not a WebAuthn response object. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names which WebAuthn response it expects
export function parseCredentialJson<T extends { id: string; response: object }>(text: string | undefined): T | undefined {
  if (!text || text.length > 32768) return undefined;
  try {
    const v = JSON.parse(text) as Partial<T>;
    return v && typeof v === 'object' && typeof v.id === 'string' && v.id.length <= 1024 && typeof v.response === 'object' && v.response !== null
      ? (v as T)
      : undefined;
  } catch {
    return undefined;
  }
}
