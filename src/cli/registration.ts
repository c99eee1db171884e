/**
 * `gatehouse registration token create [--lifetime 1d] [--single-use] [--description TEXT]`:
 * mints an initial access token for dynamic client registration (RFC 7591 §3)
 * and prints it once; the store keeps only its hash.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config/schema.js';
import { systemClock, type Clock } from '../model/types.js';
import { createInitialAccessToken } from '../registration/initial-access-token.js';
import type { Backend } from '../stores/types.js';

export interface RegistrationCommandContext {
  config: Config;
  backend: Pick<Backend, 'records'>;
  out: (s: string) => void;
  err: (s: string) => void;
  clock?: Clock;
}

const USAGE = 'usage: gatehouse registration token create [--lifetime 1d] [--single-use] [--description TEXT] [--config FILE]';
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

function seconds(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const m = /^(\d{1,9})([smhd]?)$/.exec(value);
  return m ? Number(m[1]) * (UNITS[m[2] || 's'] ?? 1) : undefined;
}

/** Runs the command; the exit code. */
export async function runRegistrationCommand(args: string[], ctx: RegistrationCommandContext): Promise<number> {
  const [noun, verb, ...rest] = args;
  if (noun !== 'token' || verb !== 'create') {
    ctx.err(USAGE);
    return 1;
  }
  let values: { lifetime?: string; 'single-use'?: boolean; description?: string };
  try {
    values = parseArgs({
      args: rest,
      options: { lifetime: { type: 'string' }, 'single-use': { type: 'boolean' }, description: { type: 'string' } },
      strict: true,
    }).values;
  } catch (e) {
    ctx.err(`${(e as Error).message}\n${USAGE}`);
    return 1;
  }
  const lifetime = seconds(values.lifetime, ctx.config.registration.initialAccessTokenLifetime);
  if (!lifetime) {
    ctx.err(`--lifetime must be a positive duration such as 3600, 30m, 12h or 7d\n${USAGE}`);
    return 1;
  }
  if (!ctx.config.registration.enabled) ctx.err('warning: registration.enabled is false in this configuration; the token is stored anyway');
  const token = await createInitialAccessToken(
    { backend: ctx.backend, clock: ctx.clock ?? systemClock },
    { lifetime, singleUse: values['single-use'] ?? false, description: values.description },
  );
  ctx.out(token);
  return 0;
}
