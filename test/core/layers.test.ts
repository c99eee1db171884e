/**
 * The layer rule of DESIGN.md ("Layers: dependencies point down only"),
 * checked on the static import graph of src/ (type imports included: a type
 * from above ties a module to the layer above as much as a value does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every module each file imports: src-relative paths for relative imports, the bare specifier otherwise. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gms)) {
      const spec = m[1] ?? m[2];
      targets.push(spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '') : spec);
    }
    graph.set(relative(SRC, file).replace(/\.tsx?$/, ''), targets);
  }
  return graph;
}

const graph = importGraph();

/** `file -> target` for each import of a file under one of `from` that matches `forbidden`. */
function violations(from: string[], forbidden: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    if (!from.some((f) => file.startsWith(f))) continue;
    for (const t of targets) if (forbidden(t)) out.push(`${file} -> ${t}`);
  }
  return out;
}

const under =
  (...dirs: string[]) =>
  (t: string) =>
    dirs.some((d) => t === d || t.startsWith(`${d}/`));

describe('layers', () => {
  it('finds the source files and their imports', () => {
    expect(graph.get('core/dispatcher')).toEqual(expect.arrayContaining(['core/router', 'errors']));
    expect(graph.size).toBeGreaterThan(100);
  });

  it('protocol code (endpoints, grants, tokens, client-auth) never imports the adapters, node:http or the layers above it', () => {
    const above = under('http', 'ui', 'cli', 'provider', 'routes', 'index');
    // Known exception: the form_post response mode renders its auto-submitting page with the UI's view.
    const known = ['endpoints/authorize/authorization-response -> ui/index'];
    const found = violations(['endpoints/', 'grants/', 'tokens/', 'client-auth/'], (t) => above(t) || t === 'node:http');
    expect(found.filter((v) => !known.includes(v))).toEqual([]);
  });

  it('endpoints no longer reach into the interaction layer for redirect URIs or page routes', () => {
    expect(violations(['endpoints/'], (t) => t === 'interaction/redirect-uri' || t.startsWith('interaction/ui'))).toEqual([]);
  });

  it('core imports nothing above it (only core, errors, model, config, the context type, observability and packages)', () => {
    const inSrc = (t: string) => graph.has(t) || graph.has(`${t}/index`);
    const allowed = under('core', 'errors', 'model', 'config', 'context', 'observability');
    expect(violations(['core/'], (t) => (inSrc(t) && !allowed(t)) || t === 'node:http')).toEqual([]);
  });

  it('errors.ts depends on nothing else in src', () => {
    expect((graph.get('errors') ?? []).filter((t) => !t.startsWith('node:'))).toEqual([]);
  });

  it('the interaction layer does not import the endpoints or the pages above it', () => {
    expect(violations(['interaction/'], under('endpoints', 'ui/routes', 'http', 'routes', 'provider'))).toEqual([]);
  });
});
