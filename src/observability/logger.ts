/**
 * The provider's pino logger when the host gives none: JSON lines, or
 * pino-pretty when stdout is a terminal (`server.logFormat: auto`). Known
 * credential fields are redacted as a second line of defence (the log calls
 * themselves never pass them), and lines written inside an active span carry
 * its trace_id and span_id.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import type { Config } from '../config/schema.js';
import { activeTraceIds } from './tracing.js';

const CREDENTIALS = ['password', 'client_secret', 'client_assertion', 'code_verifier', 'access_token', 'refresh_token', 'id_token', 'authorization', 'cookie'];
export const REDACT_PATHS = [...CREDENTIALS, ...CREDENTIALS.map((k) => `*.${k}`)];

/**
 * @example
 * const logger = await createLogger(config); // JSON lines, or pretty on a terminal
 */
export async function createLogger(config: Config, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): Promise<Logger> {
  const options: LoggerOptions = {
    level: config.server.logLevel,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: activeTraceIds,
  };
  const format = config.server.logFormat;
  if (format === 'pretty' || (format === 'auto' && out.isTTY)) {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ colorize: Boolean(out.isTTY), translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', destination: out }));
  }
  // stdout through pino's own fast writer; any other stream as given.
  return out === process.stdout ? pino(options) : pino(options, out);
}
