/**
 * zod's runtime, loaded from its CommonJS build through require(). Its ES
 * build is 95 modules, and Node 20 keeps about 3 MiB more resident for them
 * than for the same code loaded as CommonJS (docs/benchmarks.md "Memory"),
 * measured on a server right after start. Every runtime use of zod goes
 * through this module, so one copy of its classes is loaded; types still come
 * from `import type ... from 'zod'`.
 *
 * @example
 * import { z } from './zod-runtime.js';
 * const port = z.number().int().min(1);
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { z as ZodNamespace } from 'zod';

// import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
const require = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href);

export const z = (require('zod') as { z: typeof ZodNamespace }).z;
