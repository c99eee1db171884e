/**
 * `@opentelemetry/api`'s runtime values, loaded from its CommonJS build
 * through require(). Its ES build is 51 modules, and Node 20 keeps about
 * 2 MiB more resident for them than for the same code loaded as CommonJS
 * (docs/benchmarks.md "Memory"). The API keeps its registered providers on
 * `globalThis` under a versioned symbol, shared by both builds, so an SDK the
 * host registers through either one is seen here. Types still come from
 * `import type ... from '@opentelemetry/api'`.
 *
 * @example
 * import { otel } from './otel-runtime.js';
 * const tracer = otel.trace.getTracer('gatehouse');
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
const require = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href);

export const otel = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
