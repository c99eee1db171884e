import { describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../src/cli/keys.js';
import { createKeyManager } from '../../src/keys/key-manager.js';
import { createMemoryBackend } from '../../src/stores/memory.js';
import { DAY, mutableClock, newKek, testConfig } from './helpers.js';

function sink() {
  const s = { text: '', write: (t: string) => void (s.text += t) };
  return s;
}

async function setup() {
  const backend = createMemoryBackend();
  const clock = mutableClock();
  const kek = newKek();
  const config = testConfig({ keyEncryptionKey: Buffer.from(kek).toString('base64') });
  const km = createKeyManager({ config, store: backend.keys, clock, kek });
  await km.start();
  return { backend, clock, config, km, out: sink(), err: sink() };
}

describe('gatehouse keys', () => {
  it('list prints a table with ISO dates', async () => {
    const { backend, clock, config, km, out, err } = await setup();
    const code = await runKeysCommand(['list'], { config, backend, out, err, clock });
    expect(code).toBe(0);
    const [header, row, extra] = out.text.trimEnd().split('\n');
    expect(header).toMatch(/^kid\s+alg\s+status\s+created\s+activates\s+retires\s+removed$/);
    expect(row.split(/\s+/)).toEqual([
      km.signingKey().kid,
      'RS256',
      'active',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00Z',
      '2025-04-01T00:00:00Z',
      '2025-04-15T00:00:00Z',
    ]);
    expect(extra).toBeUndefined();
    expect(err.text).toBe('');
  });

  it('rotate prints the new keys and when they start signing, using the configured KEK', async () => {
    const { backend, clock, config, km, out, err } = await setup();
    clock.day(10);
    const code = await runKeysCommand(['rotate'], { config, backend, out, err, clock });
    expect(code).toBe(0);
    const stored = await backend.keys.list();
    const created = stored.find((k) => k.kid !== km.signingKey().kid)!;
    expect(created.activatesAt).toBe(clock.t + 14 * DAY);
    expect(out.text).toContain(`created RS256 key ${created.kid}: published now, signs from 2025-01-25T00:00:00Z (in 14d)`);
    expect(out.text).toMatch(new RegExp(`${created.kid}\\s+RS256\\s+announced`));
    await km.refresh();
    clock.day(24);
    expect(km.signingKey().kid).toBe(created.kid);
  });

  it('rotate with a wrong KEK reports the error without a stack trace', async () => {
    const { backend, clock, out, err } = await setup();
    const config = testConfig({ keyEncryptionKey: Buffer.from(newKek()).toString('base64') });
    const code = await runKeysCommand(['rotate'], { config, backend, out, err, clock });
    expect(code).toBe(1);
    expect(err.text).toMatch(/^gatehouse keys rotate: cannot decrypt signing key \S+: wrong key-encryption key\?\n$/);
    expect(await backend.keys.list()).toHaveLength(1); // nothing written under the wrong KEK
  });

  it('usage errors', async () => {
    const { backend, config, out, err } = await setup();
    expect(await runKeysCommand([], { config, backend, out, err })).toBe(1);
    expect(await runKeysCommand(['frobnicate'], { config, backend, out, err })).toBe(1);
    expect(err.text).toContain('unknown arguments: frobnicate');
    expect(await runKeysCommand(['--help'], { config, backend, out, err })).toBe(0);
    expect(out.text).toContain('Usage: gatehouse keys');
  });

  it('list on an empty store says so', async () => {
    const backend = createMemoryBackend();
    const out = sink();
    expect(await runKeysCommand(['list'], { config: testConfig(), backend, out, err: sink() })).toBe(0);
    expect(out.text).toMatch(/no signing keys yet/);
  });
});
