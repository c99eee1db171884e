/**
 * kysely's runtime values, loaded from its CommonJS build through require().
 * In Node 20 its 262 files loaded as ES modules keep about 7 MiB more
 * resident than the same code loaded as CommonJS (measured on the demo
 * server, docs/benchmarks.md "Memory"). Every runtime use of kysely goes
 * through this module, so one copy of its classes is loaded; types still come
 * from `import type ... from 'kysely'`.
 *
 * @example
 * import { kysely } from './kysely-runtime.js';
 * const qb = new kysely.Kysely<Schema>({ dialect: new kysely.SqliteDialect({ database }) });
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// import.meta.url is absent when this module is bundled to CommonJS: resolve from the working folder then.
const require = createRequire(import.meta.url ?? pathToFileURL(`${process.cwd()}/`).href);

export const kysely = require('kysely') as typeof import('kysely');
