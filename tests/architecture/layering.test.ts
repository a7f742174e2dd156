// The layering check: data flows collectors → normalize → sinks → summarize, with `normalize/` (the one schema)
// and `connect/` (the wire: HTTP, the Snowflake connection) beneath the stages; the stages never import one
// another; the library never imports the fakes (`sim/`), the CLI (`bin/`) or the benchmark; and no file imports
// itself through a cycle. Type-only imports count too: a type is a dependency of the design.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', 'dist', 'tests', '.git', '.tools', 'coverage']);

/** Which areas each area may import (its own area is always allowed). */
export const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  normalize: ['errors'],
  connect: ['errors', 'normalize'],
  collectors: ['errors', 'normalize', 'connect'],
  sinks: ['errors', 'normalize', 'connect'],
  summarize: ['errors', 'normalize'],
  config: ['errors', 'normalize', 'connect', 'collectors', 'sinks', 'summarize'],
  library: ['errors', 'normalize', 'connect', 'collectors', 'sinks', 'summarize', 'config'],
  sim: ['errors', 'normalize'],
  bin: ['errors', 'normalize', 'connect', 'collectors', 'sinks', 'summarize', 'config', 'library', 'sim'],
  bench: ['errors', 'normalize', 'connect', 'collectors', 'sinks', 'summarize', 'config', 'library', 'sim'],
};

/** The area of a file: its top folder, or `library` for the top-level modules (the cycle, doctor, the entry). */
export function areaOf(file: string): string {
  const top = file.split('/')[0]!;
  if (top === 'errors.ts') return 'errors';
  if (top.endsWith('.ts')) return 'library';
  return top;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(ROOT, p));
  }
  return out;
}

const SPEC = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Relative imports of a source text, resolved to repository paths (`.js` specifiers name `.ts` files). */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) out.push(normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
  return out;
}

/** Edges that break the layering, as `from → to` strings. */
export function backEdges(graph: Map<string, string[]>): string[] {
  const bad: string[] = [];
  for (const [from, tos] of graph) {
    const a = areaOf(from);
    for (const to of tos) {
      const b = areaOf(to);
      if (a !== b && !(ALLOWED[a] ?? []).includes(b)) bad.push(`${from} → ${to}`);
    }
  }
  return bad;
}

/** Every import cycle, each as the list of files on it. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (!graph.has(t)) continue;
      if (state.get(t) === 'open') found.push(stack.slice(stack.indexOf(t)));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

const graph = new Map(sourceFiles(ROOT).map((f) => [f, importsOf(f, readFileSync(join(ROOT, f), 'utf8'))]));

describe('layering', () => {
  it('reads the whole library', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['audit.ts', 'collectors/registry.ts', 'normalize/schema.ts', 'sinks/store/open.ts']));
    expect([...graph.keys()].every((f) => Object.hasOwn(ALLOWED, areaOf(f)))).toBe(true);
  });

  it('has no import against the flow', () => {
    expect(backEdges(graph)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('would catch a back-edge and a cycle', () => {
    const bad = new Map([
      ['collectors/x.ts', ['sinks/store/open.ts']],
      ['sinks/store/open.ts', ['summarize/report.ts']],
      ['summarize/a.ts', ['summarize/b.ts']],
      ['summarize/b.ts', ['summarize/a.ts']],
      ['audit.ts', ['sim/entra.ts']],
    ]);
    expect(backEdges(bad)).toEqual(['collectors/x.ts → sinks/store/open.ts', 'sinks/store/open.ts → summarize/report.ts', 'audit.ts → sim/entra.ts']);
    expect(cycles(bad)).toEqual([['summarize/a.ts', 'summarize/b.ts']]);
  });
});
