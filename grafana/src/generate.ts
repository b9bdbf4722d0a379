/**
 * `npm run grafana:generate [-- --out <dir>]`: writes the dashboards' JSON into grafana/dashboards/ (or <dir>).
 * The npm script compiles grafana/src with tsc first (grafana/tsconfig.json → dist/grafana/), because the
 * project's relative imports end in `.js`, which Node's built-in type stripping does not map to `.ts`.
 * Paths are relative to the working directory: npm runs scripts from the package root.
 */
import { relative, resolve } from 'node:path';
import { writeAll } from './render.js';

function outDir(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && (value === undefined || value.startsWith('--'))) throw new Error('--out needs a directory');
  return resolve(value ?? 'grafana/dashboards');
}

try {
  for (const path of writeAll(outDir(process.argv.slice(2)))) console.log(`wrote ${relative(process.cwd(), path) || path}`);
} catch (err) {
  console.error(`grafana:generate: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
