/**
 * The event bus of one provider: `emit` stamps an event and hands it to every
 * subscriber (the log sink by default, metrics, the host's sinks). A failing
 * subscriber is logged and never breaks the request that emitted.
 */
import type { Logger } from 'pino';
import type { Clock } from '../model/types.js';
import { outcomeOf, type EmitEvent, type EventOf, type EventSink, type GatehouseEvent, type KnownEventType } from './types.js';

export interface EventBus {
  /** Emits an event (this is `ctx.events`). */
  emit: EmitEvent;
  /** Adds a sink for every event; returns the unsubscribe function. */
  subscribe(sink: EventSink): () => void;
  /** Adds a sink for one built-in event type, typed; returns the unsubscribe function. */
  on<T extends KnownEventType>(type: T, sink: (event: EventOf<T>) => unknown): () => void;
}

export type EventLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';

/**
 * Creates the bus. The built-in log sink writes success and information
 * events at `successLevel`, failures at `failureLevel` ('off' skips them),
 * and error events at error.
 *
 * @example
 * const bus = createEventBus({ logger, clock, successLevel: 'debug', failureLevel: 'warn' });
 * const stop = bus.on('token_issued', (e) => console.log(e.clientId, e.grantType));
 * bus.emit({ type: 'token_issued', clientId: 'm2m', grantType: 'client_credentials' });
 */
export function createEventBus(opts: { logger: Logger; clock: Clock; successLevel: EventLogLevel; failureLevel: EventLogLevel }): EventBus {
  const { logger, clock } = opts;
  let sinks: EventSink[] = [];
  const failed = (err: unknown, type: string) => logger.error({ err, eventType: type }, 'event sink failed');

  const remove = (sink: EventSink) => () => {
    sinks = sinks.filter((s) => s !== sink);
  };
  const subscribe = (sink: EventSink) => {
    sinks = [...sinks, sink];
    return remove(sink);
  };

  const { successLevel, failureLevel } = opts;
  subscribe((e) => {
    const level = e.outcome === 'error' ? 'error' : e.outcome === 'failure' ? failureLevel : successLevel;
    if (level !== 'off' && logger.isLevelEnabled(level)) logger[level]({ event: e }, e.type);
  });

  const emit = ((event: GatehouseEvent) => {
    event.time ??= clock.now();
    event.outcome ??= outcomeOf(event.type);
    const list = sinks; // copy-on-write: a sink may unsubscribe while we loop
    for (let i = 0; i < list.length; i++) {
      try {
        const r = list[i](event);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((err: unknown) => failed(err, event.type));
      } catch (err) {
        failed(err, event.type);
      }
    }
  }) as EmitEvent;

  return {
    emit,
    subscribe,
    on(type, sink) {
      const filtered: EventSink = (e) => (e.type === type ? sink(e as EventOf<typeof type>) : undefined);
      return subscribe(filtered);
    },
  };
}
