/**
 * Redis beside PostgreSQL: ephemeral records (split-records.ts) and change
 * notifications between nodes (pub/sub). Commands fail fast while Redis is
 * away (no offline queue), surfacing as StoreUnavailableError (HTTP 503);
 * ioredis reconnects in the background and service resumes by itself.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { systemClock, type Clock } from '../model/types.js';
import { RedisRecords } from './redis-records.js';
import { SplitRecords } from './split-records.js';
import { guardStore, redactUrl, StoreUnavailableError } from './store-faults.js';
import type { Backend, ChangeFeed, ChangeTopic } from './types.js';

export interface RedisOptionsForGatehouse {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Time source for record TTLs. Default: the system clock. */
  clock?: Clock;
  /** Key prefix, for several deployments on one Redis. Default `gh:`. */
  prefix?: string;
  /** Told about connection errors (they also fail the commands in flight). */
  onError?: (err: Error) => void;
}

const CONNECTION: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5000,
  retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
};

/** Connects one client; an unreachable Redis fails with one clear message. */
async function connect(url: string, onError: (err: Error) => void): Promise<Redis> {
  const client = new Redis(url, CONNECTION);
  let cause: unknown;
  client.on('error', (err) => {
    cause ??= err; // the socket error (ECONNREFUSED...) comes before connect() rejects with a generic one
    onError(err);
  });
  try {
    await client.connect();
    return client;
  } catch (err) {
    client.disconnect();
    cause ??= err;
    const detail = (cause as { code?: string }).code ?? (cause as Error).message;
    throw new StoreUnavailableError(`cannot reach Redis at ${redactUrl(url)}: ${detail}`, err);
  }
}

/** Pub/sub on a second connection; on reconnect every subscriber is called once (it may have missed messages). */
class RedisChangeFeed implements ChangeFeed {
  private readonly handlers = new Map<string, Array<() => void>>();
  private connectedOnce = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
  ) {
    sub.on('message', (channel: string) => this.fire(channel));
    sub.on('ready', () => {
      if (this.connectedOnce) for (const channel of this.handlers.keys()) this.fire(channel);
      this.connectedOnce = true;
    });
  }

  private channel(topic: ChangeTopic): string {
    return `${this.prefix}changes:${topic}`;
  }
  private fire(channel: string): void {
    for (const fn of this.handlers.get(channel) ?? []) fn();
  }
  async publish(topic: ChangeTopic): Promise<void> {
    await this.pub.publish(this.channel(topic), '1');
  }
  subscribe(topic: ChangeTopic, fn: () => void): void {
    const channel = this.channel(topic);
    const list = this.handlers.get(channel);
    if (list) return void list.push(fn);
    this.handlers.set(channel, [fn]);
    // Resubscribed by ioredis after a reconnect (autoResubscribe).
    this.sub.subscribe(channel).catch(() => {});
  }
}

/**
 * Puts Redis beside a durable backend: ephemeral record kinds go to Redis,
 * everything else stays where it was; adds the change feed.
 *
 * @example
 * const backend = await withRedis(await createPostgresBackend({ url }), { url: 'redis://127.0.0.1:6379' });
 */
export async function withRedis(durable: Backend, opts: RedisOptionsForGatehouse): Promise<Backend> {
  const prefix = opts.prefix ?? 'gh:';
  const onError = opts.onError ?? (() => {});
  const client = await connect(opts.url, onError);
  let subscriber: Redis;
  try {
    subscriber = await connect(opts.url, onError);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const ephemeral = guardStore('Redis', new RedisRecords(client, opts.clock ?? systemClock, prefix));
  const changes = new RedisChangeFeed(client, subscriber, prefix);
  let closed = false;
  return {
    records: new SplitRecords(durable.records, ephemeral),
    keys: durable.keys,
    users: durable.users,
    userMfa: durable.userMfa,
    configDocuments: durable.configDocuments,
    federation: durable.federation,
    transact: durable.transact?.bind(durable),
    outbox: durable.outbox,
    auditLog: durable.auditLog,
    changes: guardStore('Redis', changes),
    // Readiness: the durable store and Redis both answer.
    ping: async () => {
      if (closed) throw new Error('store is closed');
      await durable.ping();
      await client.ping();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      client.disconnect();
      subscriber.disconnect();
      await durable.close();
    },
  };
}
