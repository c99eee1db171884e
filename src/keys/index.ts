/**
 * Signing keys: automatic creation, rotation and publication (IdentityServer's
 * automatic key management), private keys encrypted at rest.
 *
 * @example
 * import { createKeyManager, loadKeyEncryptionKey } from './keys/index.js';
 * const keys = createKeyManager({ config, store: backend.keys, clock, kek: await loadKeyEncryptionKey(config) });
 * await keys.start();
 */
export { createKeyManager, SIGNING_KEYS_LOCK, type KeyLogger, type KeyManagerOptions } from './key-manager.js';
export { loadKeyEncryptionKey, keyEncryptionKeyPath } from './load-key-encryption-key.js';
export { KeyEncryptionError, decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
export { generateSigningKey, importStoredKey, toStoredKey, type GeneratedKey } from './generate-key.js';
export {
  keyStatus,
  resolveKeysConfig,
  nextTransition,
  planKeyWork,
  planRotation,
  selectSigningKey,
  toKeyInfo,
  type KeyAction,
  type TimelineConfig,
} from './key-timeline.js';
export type { KeyInfo, KeyManager, KeyStatus, SigningKey } from '../model/types.js';
