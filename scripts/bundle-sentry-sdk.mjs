// Replaces tsc's dist/exporters/sentry-sdk.js (re-exports from @sentry/node) with one tree-shaken module holding
// the SDK code those exports reach, and writes the licenses of the packages it took code from beside it.
// Why: exporters/sentry-sdk.ts. Run by `npm run build`, after tsc.
//
// Only @sentry/* is taken in. Everything else the SDK imports stays an import — Node's built-ins and
// @opentelemetry/api, which must stay one instance with the application's — and must be a built-in or one of this
// package's own dependencies, or the build fails: the published module cannot import what users do not install.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'dist/exporters/sentry-sdk.js');
const licenses = join(root, 'dist/exporters/sentry-sdk.LICENSES.txt');
const MARK = '/*! agent-otel-bridge: tree-shaken Sentry SDK';

const emitted = readFileSync(output, 'utf8');
if (emitted.startsWith(MARK)) {
  console.log('bundle-sentry-sdk: dist/exporters/sentry-sdk.js is already bundled');
  process.exit(0);
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const requireFromRoot = createRequire(join(root, 'package.json'));
const sentryVersion = JSON.parse(readFileSync(requireFromRoot.resolve('@sentry/node/package.json'), 'utf8')).version;
const isTakenIn = (id) => id.startsWith('@sentry/') || id.startsWith('.') || isAbsolute(id);

const bundle = await rolldown({
  input: output,
  platform: 'node',
  external: (id) => !isTakenIn(id),
  treeshake: true,
  logLevel: 'warn',
});
const { output: chunks } = await bundle.generate({
  format: 'esm',
  charset: 'ascii',
  comments: { legal: true, annotation: true, jsdoc: false },
  banner: `${MARK} (@sentry/node ${sentryVersion}, MIT): the code exporters/sentry-sdk.ts re-exports, built by scripts/bundle-sentry-sdk.mjs. Licenses: sentry-sdk.LICENSES.txt */`,
});
await bundle.close();
if (chunks.length !== 1 || chunks[0].type !== 'chunk') throw new Error(`bundle-sentry-sdk: expected one module, got ${chunks.map((c) => c.fileName).join(', ')}`);
const [chunk] = chunks;

const allowed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const strays = chunk.imports.filter((specifier) => !specifier.startsWith('node:') && !builtinModules.includes(specifier) && !allowed.has(packageOf(specifier)));
if (strays.length > 0) throw new Error(`bundle-sentry-sdk: the SDK code imports ${strays.join(', ')}, not a dependency of this package`);

// The packages the module holds code from, each with its license and the notices of what it vendors itself.
const packageDirs = new Set();
for (const id of chunk.moduleIds) {
  const parts = relative(root, id).split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) continue;
  const name = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
  packageDirs.add(join(root, ...parts.slice(0, at + 1), ...name));
}
const notices = [...packageDirs].sort().map((dir) => {
  const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const parts = [`${name} ${version}\n\n${readFileSync(join(dir, 'LICENSE'), 'utf8').trim()}`];
  try {
    parts.push(readFileSync(join(dir, 'build/THIRD-PARTY-LICENSES.txt'), 'utf8').trim());
  } catch {
    // no vendored code of its own
  }
  return parts.join('\n\n');
});

writeFileSync(output, chunk.code);
writeFileSync(licenses, `${notices.join(`\n\n${'='.repeat(80)}\n\n`)}\n`);
rmSync(`${output}.map`, { force: true }); // tsc's map of the re-exports no longer describes the file
console.log(`bundle-sentry-sdk: ${chunk.moduleIds.length} modules of ${packageDirs.size} packages → ${(chunk.code.length / 1024).toFixed(0)} KiB`);
