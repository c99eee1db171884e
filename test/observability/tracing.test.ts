/**
 * OpenTelemetry through @opentelemetry/api. Without a registered tracer
 * provider Gatehouse creates no spans at all. With one (the host's SDK; here
 * a small recording provider and an AsyncLocalStorage context manager, the
 * two interfaces an SDK implements), every request gets a server span, store
 * calls become its children, and log lines carry the trace id.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import {
  context,
  trace,
  ROOT_CONTEXT,
  TraceFlags,
  type Context,
  type ContextManager,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { FORM } from '../interaction/interaction-helpers.js';

interface Recorded {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status?: SpanStatus;
  ended: boolean;
}

class RecordingSpan implements Span {
  constructor(
    private readonly ctx: SpanContext,
    readonly rec: Recorded,
  ) {}
  spanContext() {
    return this.ctx;
  }
  setAttribute(k: string, v: unknown) {
    this.rec.attributes[k] = v;
    return this;
  }
  setAttributes(a: Record<string, unknown>) {
    Object.assign(this.rec.attributes, a);
    return this;
  }
  addEvent() {
    return this;
  }
  addLink() {
    return this;
  }
  addLinks() {
    return this;
  }
  setStatus(s: SpanStatus) {
    this.rec.status = s;
    return this;
  }
  updateName(n: string) {
    this.rec.name = n;
    return this;
  }
  end() {
    this.rec.ended = true;
  }
  isRecording() {
    return !this.rec.ended;
  }
  recordException() {}
}

class RecordingProvider implements TracerProvider {
  readonly spans: Recorded[] = [];
  getTracer(): Tracer {
    const startSpan = (name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span => {
      const parent = trace.getSpan(ctx)?.spanContext();
      const sc: SpanContext = {
        traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: TraceFlags.SAMPLED,
      };
      const rec: Recorded = { name, traceId: sc.traceId, spanId: sc.spanId, parentSpanId: parent?.spanId, attributes: { ...options.attributes }, ended: false };
      this.spans.push(rec);
      return new RecordingSpan(sc, rec);
    };
    return { startSpan, startActiveSpan: () => undefined };
  }
}

class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active() {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable() {
    return this;
  }
  disable() {
    this.als.disable();
    return this;
  }
}

const cc = (s: TestServer) =>
  fetch(`${s.url}/connect/token`, {
    method: 'POST',
    headers: { authorization: basic('m2m', 'secret'), ...FORM },
    body: 'grant_type=client_credentials&scope=api',
  });

describe('tracing', () => {
  let s: TestServer;
  const lines: Record<string, unknown>[] = [];
  const provider = new RecordingProvider();
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _e, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    s = await startTestServer({ mutate: (c) => (c.server = { ...c.server, accessLog: true }), options: { logger: pino({ level: 'info' }, sink) } });
  });
  afterAll(async () => {
    await s.close();
    trace.disable();
    context.disable();
  });

  it('creates no spans while no tracer provider is registered', async () => {
    expect((await cc(s)).status).toBe(200);
    expect(provider.spans).toHaveLength(0);
    const line = lines.find((l) => l.msg === 'request' && l.path === '/connect/token');
    expect(line).toBeDefined();
    expect(line!.trace_id).toBeUndefined();
  });

  it('with a registered provider: a server span per request, store calls as its children, trace ids in the access log', async () => {
    context.setGlobalContextManager(new AlsContextManager());
    trace.setGlobalTracerProvider(provider);
    // Revoking an unknown refresh token: the endpoint looks it up in the store.
    const res = await fetch(`${s.url}/connect/revocation`, {
      method: 'POST',
      headers: { authorization: basic('m2m', 'secret'), ...FORM, 'x-request-id': 'traced-1' },
      body: 'token=unknown-token-value',
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
    const server = provider.spans.find((x) => x.name === 'POST /connect/revocation');
    expect(server).toMatchObject({
      ended: true,
      attributes: { 'http.request.method': 'POST', 'http.route': '/connect/revocation', 'http.response.status_code': 200 },
    });
    const children = provider.spans.filter((x) => x.parentSpanId === server!.spanId);
    expect(children.map((c) => c.name)).toContain('records.find');
    expect(children.every((c) => c.traceId === server!.traceId && c.ended)).toBe(true);
    const line = lines.find((l) => l.requestId === 'traced-1');
    expect(line).toMatchObject({ trace_id: server!.traceId, span_id: server!.spanId, status: 200 });
  });

  it("the provider's own logger adds trace_id and span_id to lines written inside a span", async () => {
    const chunks: string[] = [];
    const out = Object.assign(
      new Writable({
        write: (c, _e, cb) => {
          chunks.push(String(c));
          cb();
        },
      }),
      { isTTY: false },
    );
    const log = await createLogger(configSchema.parse({}), out);
    const span = provider.getTracer().startSpan('outer');
    context.with(trace.setSpan(context.active(), span), () => log.info('inside'));
    log.info('outside');
    const [inside, outside] = chunks
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ msg: 'inside', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(outside.trace_id).toBeUndefined();
  });

  it('marks a failed request span with an error status for 5xx only', async () => {
    await fetch(`${s.url}/connect/token`, { method: 'POST', headers: { authorization: basic('m2m', 'nope'), ...FORM }, body: 'grant_type=client_credentials' });
    const failed = provider.spans.filter((x) => x.name === 'POST /connect/token').at(-1)!;
    expect(failed.attributes['http.response.status_code']).toBe(401);
    expect(failed.status).toBeUndefined();
  });
});
