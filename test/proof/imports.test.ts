/**
 * `gatehouse/resource-server` runs in hosts without Gatehouse: its modules,
 * including the proof modules it uses, import nothing of the provider (only
 * node built-ins and jose). Follows the relative imports from its index.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
      const spec = m[1];
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('resource-server imports', () => {
  it('reach only src/resource-server, the pure proof and outbound-fetch (net/) modules and the compact-JWS check, node built-ins and jose', () => {
    const { files, packages } = closure(resolve(SRC, 'resource-server/index.ts'));
    const outside = [...files]
      .map((f) => relative(SRC, f))
      .filter((f) => !f.startsWith('resource-server/') && !f.startsWith('proof/') && !f.startsWith('net/') && f !== 'tokens/compact-jws.ts');
    expect(outside).toEqual([]);
    expect([...files].map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(['proof/dpop.ts', 'proof/mtls.ts', 'proof/nonce.ts']));
    expect([...files].map((f) => relative(SRC, f))).not.toContain('proof/store-replay.ts');
    expect([...packages].filter((p) => !p.startsWith('node:') && p !== 'jose')).toEqual([]);
  });
});
