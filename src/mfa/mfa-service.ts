/**
 * The MFA service of one provider: what the sign-in pages and the account
 * security page do with a user's factors. Every change goes through the
 * repository's compare-and-set, so a TOTP step, a recovery code and a
 * passkey counter are each used by one sign-in only.
 *
 * @example
 * const r = await ctx.mfa.verifyTotp('3', '123456'); // 'ok' | 'wrong' | 'reused'
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { SetCookie } from '../core/types.js';
import type { UserMfaTable } from '../stores/types.js';
import { hasSecondFactor, type MfaDocument, type PasskeyRecord } from './mfa-document.js';
import { createMfaRepository } from './mfa-repository.js';
import { matchRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { deviceKey, isRememberedDevice, rememberDeviceCookie } from './remember-device.js';
import { openSecret, sealSecret } from './secret-box.js';
import { checkTotp, newTotpSecret, totpUri } from './totp.js';
import { relyingParty, verifyAssertion, type RelyingParty } from './webauthn.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';

export interface MfaStatus {
  totp: boolean;
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt?: number }[];
  recoveryCodesLeft: number;
  required: boolean;
  /** Any factor beyond the password. */
  enrolled: boolean;
}

export type TotpResult = 'ok' | 'wrong' | 'reused';

export interface MfaService {
  readonly rp: RelyingParty;
  document(subjectId: string): Promise<MfaDocument>;
  status(subjectId: string): Promise<MfaStatus>;
  /** Starts (or restarts) TOTP set-up: a new secret kept pending until confirmed. */
  startTotp(subjectId: string, label: string): Promise<{ secret: string; uri: string }>;
  /** The pending set-up's secret and URI (to show the page again after a wrong code). */
  pendingTotp(subjectId: string, label: string): Promise<{ secret: string; uri: string } | undefined>;
  /** Confirms the pending secret with a code from the app: it becomes the TOTP factor. */
  confirmTotp(subjectId: string, code: string): Promise<TotpResult | 'none'>;
  removeTotp(subjectId: string): Promise<void>;
  verifyTotp(subjectId: string, code: string): Promise<TotpResult>;
  /** Replaces the recovery codes with 10 new ones, returned once. */
  newRecoveryCodes(subjectId: string): Promise<string[]>;
  /** Spends a recovery code; false when it is not one of the unused codes. */
  useRecoveryCode(subjectId: string, code: string): Promise<boolean>;
  addPasskey(subjectId: string, passkey: PasskeyRecord): Promise<void>;
  removePasskey(subjectId: string, id: string): Promise<boolean>;
  /** Verifies an assertion of one of the user's passkeys and advances its counter. */
  usePasskey(
    subjectId: string,
    response: AuthenticationResponseJSON,
    challenge: string,
    requireUserVerification?: boolean,
  ): Promise<{ ok: true; userVerified: boolean } | { ok: false; error: string }>;
  setRequired(subjectId: string, required: boolean): Promise<void>;
  /** The "remember this device" cookie for the user (creating the user's device secret on first use). */
  rememberDevice(subjectId: string): Promise<SetCookie>;
  isRememberedDevice(doc: MfaDocument, subjectId: string, cookies: Readonly<Record<string, string>>): boolean;
  /** Forgets every remembered device of the user. */
  forgetDevices(subjectId: string): Promise<void>;
  /** Removes all of the user's MFA data (account deletion). */
  deleteAll(subjectId: string): Promise<void>;
}

export function createMfaService(deps: { config: Config; issuer: string; table: UserMfaTable; kek: Uint8Array; now: () => number }): MfaService {
  const { config, kek, now } = deps;
  const repo = createMfaRepository({ table: deps.table, config, kek, now });
  const rp = relyingParty(config, deps.issuer);
  const issuer = config.mfa.totp.issuer ?? config.ui.productName;
  const window = config.mfa.totp.window;
  const devices = deviceKey(kek);
  const secretOf = (subjectId: string, sealed: string | undefined) => (sealed ? openSecret(sealed, subjectId, kek) : undefined);

  return {
    rp,
    document: (subjectId) => repo.load(subjectId),
    async status(subjectId) {
      const doc = await repo.load(subjectId);
      return {
        totp: Boolean(doc.totp),
        passkeys: (doc.passkeys ?? []).map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt })),
        recoveryCodesLeft: doc.recoveryCodes?.length ?? 0,
        required: Boolean(doc.required),
        enrolled: hasSecondFactor(doc),
      };
    },
    async startTotp(subjectId, label) {
      const secret = newTotpSecret();
      await repo.update(subjectId, (doc) => ({
        doc: { ...doc, pendingTotp: { sealedSecret: sealSecret(secret, subjectId, kek), createdAt: now() } },
        result: undefined,
      }));
      return { secret, uri: totpUri(secret, issuer, label) };
    },
    async pendingTotp(subjectId, label) {
      const secret = secretOf(subjectId, (await repo.load(subjectId)).pendingTotp?.sealedSecret);
      return secret ? { secret, uri: totpUri(secret, issuer, label) } : undefined;
    },
    confirmTotp: (subjectId, code) =>
      repo.update<TotpResult | 'none'>(subjectId, (doc) => {
        const secret = secretOf(subjectId, doc.pendingTotp?.sealedSecret);
        if (!doc.pendingTotp || !secret) return { keep: 'none' };
        const r = checkTotp(secret, code, now(), window);
        if (!r.ok) return { keep: r.reason };
        const { pendingTotp, ...rest } = doc;
        return { doc: { ...rest, totp: { sealedSecret: pendingTotp.sealedSecret, createdAt: now(), lastStep: r.step } }, result: 'ok' };
      }),
    removeTotp: (subjectId) =>
      repo.update(subjectId, (doc) => {
        const { totp: _removed, ...rest } = doc;
        return { doc: rest, result: undefined };
      }),
    verifyTotp: (subjectId, code) =>
      repo.update<TotpResult>(subjectId, (doc) => {
        const secret = secretOf(subjectId, doc.totp?.sealedSecret);
        if (!doc.totp || !secret) return { keep: 'wrong' };
        const r = checkTotp(secret, code, now(), window, doc.totp.lastStep);
        if (!r.ok) return { keep: r.reason };
        // The accepted step is stored with the same compare-and-set that read it: a replay racing this one loses.
        return { doc: { ...doc, totp: { ...doc.totp, lastStep: r.step } }, result: 'ok' };
      }),
    async newRecoveryCodes(subjectId) {
      const { codes, hashes } = newRecoveryCodes();
      await repo.update(subjectId, (doc) => ({ doc: { ...doc, recoveryCodes: hashes }, result: undefined }));
      return codes;
    },
    useRecoveryCode: (subjectId, code) =>
      repo.update<boolean>(subjectId, (doc) => {
        const i = matchRecoveryCode(doc.recoveryCodes ?? [], code);
        if (i < 0) return { keep: false };
        return { doc: { ...doc, recoveryCodes: (doc.recoveryCodes ?? []).filter((_, j) => j !== i) }, result: true };
      }),
    addPasskey: (subjectId, passkey) =>
      repo.update(subjectId, (doc) => ({
        doc: { ...doc, passkeys: [...(doc.passkeys ?? []).filter((p) => p.id !== passkey.id), passkey] },
        result: undefined,
      })),
    removePasskey: (subjectId, id) =>
      repo.update<boolean>(subjectId, (doc) => {
        if (!doc.passkeys?.some((p) => p.id === id)) return { keep: false };
        return { doc: { ...doc, passkeys: doc.passkeys.filter((p) => p.id !== id) }, result: true };
      }),
    async usePasskey(subjectId, response, challenge, requireUserVerification) {
      const doc = await repo.load(subjectId);
      const passkey = doc.passkeys?.find((p) => p.id === response.id);
      if (!passkey) return { ok: false, error: 'unknown credential' };
      const v = await verifyAssertion(config, rp, response, challenge, passkey, requireUserVerification);
      if (!v.ok) return v;
      // The counter advances by compare-and-set on the counter verified against: a cloned authenticator racing loses.
      const stored = await repo.update<boolean>(subjectId, (d) => {
        const p = d.passkeys?.find((x) => x.id === passkey.id);
        if (!p || p.counter !== passkey.counter) return { keep: false };
        return { doc: { ...d, passkeys: (d.passkeys ?? []).map((x) => (x === p ? { ...p, counter: v.newCounter, lastUsedAt: now() } : x)) }, result: true };
      });
      return stored ? { ok: true, userVerified: v.userVerified } : { ok: false, error: 'the credential was used concurrently' };
    },
    setRequired: (subjectId, required) => repo.update(subjectId, (doc) => ({ doc: { ...doc, required }, result: undefined })),
    async rememberDevice(subjectId) {
      const secret = await repo.update<string>(subjectId, (doc) => {
        if (doc.deviceSecret) return { keep: doc.deviceSecret };
        const deviceSecret = randomBytes(32).toString('base64url');
        return { doc: { ...doc, deviceSecret }, result: deviceSecret };
      });
      return rememberDeviceCookie(devices, subjectId, secret, now(), config.mfa.rememberDevice.lifetime);
    },
    isRememberedDevice: (doc, subjectId, cookies) =>
      config.mfa.rememberDevice.enabled && isRememberedDevice(devices, subjectId, doc.deviceSecret, cookies, now()),
    async deleteAll(subjectId) {
      await deps.table.delete(subjectId);
    },
    forgetDevices: (subjectId) =>
      repo.update(subjectId, (doc) => ({ doc: { ...doc, deviceSecret: randomBytes(32).toString('base64url') }, result: undefined })),
  };
}
