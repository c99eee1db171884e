/**
 * Store faults: telling "the database is unreachable" apart from a bug, and
 * turning it into one error type that the HTTP layer answers with 503
 * `temporarily_unavailable` (errors.ts toOAuthError) instead of a 500.
 */

import { StoreUnavailableError } from '../errors.js';

/** The store could not be reached (connection refused, lost, timed out). Retrying later may succeed. */
export { StoreUnavailableError };

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/** SQLSTATE: 08xxx connection exceptions, 57P01-03 shutdown / starting up, 53300 too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|enableOfflineQueue|Reached the max retries per request|Stream isn't writeable|the database system is (starting up|shutting down)|terminating connection|Query read timeout/i;

/** True when err means the store is unreachable rather than that a query was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return UNAVAILABLE_MESSAGE.test(err.message);
}

/** Rethrows an unavailable-store error as {@link StoreUnavailableError}; anything else unchanged. */
export function translateFault(what: string, err: unknown): never {
  if (err instanceof StoreUnavailableError) throw err;
  if (isUnavailable(err)) {
    const detail = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
    throw new StoreUnavailableError(`${what} unavailable (${detail})`, err);
  }
  throw err;
}

/**
 * Wraps every method of a store object so that a lost connection surfaces as
 * {@link StoreUnavailableError}. Methods added to the store interfaces later
 * are covered without change.
 */
export function guardStore<T extends object>(what: string, store: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        fn = (...args: unknown[]) => {
          try {
            const r = (value as (...a: unknown[]) => unknown).apply(target, args);
            return r instanceof Promise ? r.catch((e: unknown) => translateFault(what, e)) : r;
          } catch (e) {
            return translateFault(what, e);
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
