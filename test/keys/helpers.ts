import { randomBytes } from 'node:crypto';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { resolveKeysConfig } from '../../src/keys/key-timeline.js';

export const DAY = 86400;
/** 2025-01-01T00:00:00Z */
export const T0 = 1735689600;

/** A clock the test moves by hand. */
export function mutableClock(start = T0) {
  const clock = {
    t: start,
    now: () => clock.t,
    set: (t: number) => void (clock.t = t),
    day: (d: number) => void (clock.t = start + d * DAY),
  };
  return clock;
}

export function testConfig(keys: NonNullable<ConfigInput['keys']> = {}): Config {
  const config = configSchema.parse({ keys: { refreshInterval: 0, ...keys } });
  return { ...config, keys: resolveKeysConfig(config.keys) };
}

export const newKek = () => new Uint8Array(randomBytes(32));
