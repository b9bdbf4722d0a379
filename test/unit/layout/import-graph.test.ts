/**
 * The layout reads one way, along the data path: agent helpers → pipeline pieces (sampling, processors,
 * propagation, scrub, metrics) → exporters → the composition root (instrumentation/) that wires them. Nothing
 * imports the composition root, and no two top-level folders — nor two parts of src/ — import each other, directly
 * or through others.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Every top-level folder with code, tools included (their imports of the package go through dist/, at run time). */
const FOLDERS = ['src', 'exporters', 'instrumentation', 'grafana', 'k8s', 'demo', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|m?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A module's part: a top-level folder, and inside src/ its subfolder (or the single file at src/'s root). */
export function partOf(file: string, depth: 'top' | 'src'): string {
  const [top, second, third] = relative(ROOT, file).split('/');
  if (depth === 'top' || top !== 'src') return top!;
  return third === undefined ? `src/${second!.replace(/\.ts$/, '')}` : `src/${second}/`;
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  // NodeNext: a `.js` specifier names the `.ts` source in TypeScript folders, the file itself in plain-JS ones.
  const path = resolve(dirname(from), specifier);
  for (const target of [path.replace(/\.js$/, '.ts'), path]) {
    try {
      if (statSync(target).isFile()) return target;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Edges between parts (self-edges dropped), each with one file-level example for the failure message. */
export function partGraph(files: string[], depth: 'top' | 'src'): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const target = resolveImport(file, fileName);
      if (!target) continue;
      const [a, b] = [partOf(file, depth), partOf(target, depth)];
      if (a === b) continue;
      if (!graph.has(a)) graph.set(a, new Map());
      graph.get(a)!.set(b, `${relative(ROOT, file)} → ${relative(ROOT, target)}`);
    }
  }
  return graph;
}

/** Every cycle found by depth-first search, as the example imports that close it. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        found.push(loop.slice(1).map((to, i) => graph.get(loop[i]!)!.get(to)!));
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('import graph', () => {
  const files = FOLDERS.flatMap((folder) => sourceFiles(join(ROOT, folder)));

  it('has no cycle between top-level folders', () => {
    const graph = partGraph(files, 'top');
    expect(cycles(graph)).toEqual([]);
    // the imports were resolved (TypeScript and plain JS alike), so an empty answer means something
    expect(graph.get('instrumentation')?.has('src')).toBe(true);
    expect(files.some((f) => f.endsWith('demo/run.js')) && files.some((f) => f.endsWith('grafana/src/generate.ts'))).toBe(true);
  });

  it('has no cycle between the parts of src/', () => {
    const srcFiles = files.filter((f) => relative(ROOT, f).startsWith('src/'));
    expect(cycles(partGraph(srcFiles, 'src'))).toEqual([]);
  });

  it('nothing outside instrumentation/ imports the composition root', () => {
    const graph = partGraph(files, 'top');
    const importers = [...graph].filter(([from, to]) => from !== 'instrumentation' && to.has('instrumentation'));
    expect(importers.map(([, to]) => to.get('instrumentation'))).toEqual([]);
  });

  it('the check finds a cycle it is given', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a.ts → b.ts']])],
      ['b', new Map([['c', 'b.ts → c.ts']])],
      ['c', new Map([['a', 'c.ts → a.ts']])],
    ]);
    expect(cycles(graph)).toEqual([['a.ts → b.ts', 'b.ts → c.ts', 'c.ts → a.ts']]);
    expect(cycles(new Map([['a', new Map([['b', 'a → b']])]]))).toEqual([]);
  });
});
