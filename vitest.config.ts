import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // The examples import the package by name; tests run them against the sources, not a possibly stale dist/.
  resolve: {
    alias: [
      { find: /^gatehouse$/, replacement: src('index.ts') },
      { find: /^gatehouse\/resource-server$/, replacement: src('resource-server/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Records what skipped for a missing system program and sums it up at the end (test/helpers/requirements.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
