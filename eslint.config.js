// ESLint flat config: typescript-eslint's strict, type-checked rules over the
// TypeScript sources (src, test, examples), the recommended rules over the
// plain JavaScript (bench, scripts, examples/*.mjs). Formatting is Prettier's
// job (`prettier --check .` in `npm run lint`), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

// Node's globals for the plain JavaScript files (the `globals` package is not installed).
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'fetch', 'Request', 'Response', 'Headers', 'AbortController',
    'AbortSignal', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
    'performance', 'TextEncoder', 'TextDecoder', 'structuredClone', 'queueMicrotask', 'crypto', 'globalThis',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'bench/compare/node_modules/**', 'coverage/**', 'data/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // One program for src, test and examples: tsconfig.test.json covers all
        // three (the root tsconfig.json only covers src, so projectService would
        // not find a project for test and example files).
        project: './tsconfig.test.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // Numbers in messages and keys (`${port}`, `${maxBytes} bytes`) are this code
      // base's normal way to build text; their String() form is well defined.
      // Everything else (objects, undefined, unknown) still has to be converted.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(resolve) => server.close(resolve)` and `() => void promise` shorthands are
      // the idiom for callbacks here; the rule stays on for void values used in
      // any other expression position.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Off on purpose: stores, hooks and client-auth methods implement
      // Promise-returning interfaces, and an implementation that happens to be
      // synchronous (memory and SQLite stores, in-process counters) stays `async`
      // so that a throw reaches the caller as a rejection, which callers rely on
      // (`.catch`, Promise.all). Forgotten awaits are caught by no-floating-promises,
      // no-misused-promises and await-thenable, which stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}', 'vitest.config.ts'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: nodeGlobals },
  },
);
