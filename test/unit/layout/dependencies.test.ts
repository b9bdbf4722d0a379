/**
 * What users install is what the package runs: every package the shipped code (src/, instrumentation/,
 * exporters/) imports is a dependency (or an optional peer the app brings), every dependency is imported by it —
 * what only the demo, the generators, the bench or the tests use stays in devDependencies — and the README's
 * "Dependencies and why" names each dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Package name of a bare specifier (`@scope/name/sub` → `@scope/name`), or undefined for relative and built-in ones. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** Package → one file importing it (static, type-only, re-export or literal dynamic import alike). */
function importedPackages(): Map<string, string> {
  const used = new Map<string, string>();
  for (const file of ['src', 'instrumentation', 'exporters'].flatMap((folder) => sourceFiles(join(ROOT, folder)))) {
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      const name = packageOf(fileName);
      if (name !== undefined) used.set(name, file.slice(ROOT.length + 1));
    }
  }
  return used;
}

describe('dependencies', () => {
  const used = importedPackages();

  it('every package the shipped code imports is a dependency or an optional peer', () => {
    expect(used.size).toBeGreaterThan(10);
    const undeclared = [...used].filter(([name]) => !(name in pkg.dependencies) && !(name in pkg.peerDependencies));
    expect(undeclared.map(([name, file]) => `${name} (${file})`)).toEqual([]);
  });

  it('every dependency is imported by the shipped code', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });

  it('the README says why each dependency is there', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Dependencies and why'), readme.indexOf('\n## ', readme.indexOf('## Dependencies and why') + 1));
    expect(section.length).toBeGreaterThan(100);
    // A row may shorten `@opentelemetry/sdk-metrics` to `sdk-metrics` after naming its scope once.
    const named = (name: string) => section.includes(`\`${name}\``) || section.includes(`\`${name.split('/').pop()!}\``);
    expect(Object.keys(pkg.dependencies).filter((name) => !named(name))).toEqual([]);
  });
});
