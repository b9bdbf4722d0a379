// What Node's source maps cost when a stack is formatted: `node bench/source-maps.js` (no build needed).
//
// The preload turns source maps on when the app ships them (AGENT_BRIDGE_SOURCE_MAPS=auto, src/source-maps.ts).
// This measures `new Error().stack` (V8 formats a stack lazily, on the first read of `.stack`; the OTel SDK's
// recordException reads it) for a 12-frame stack, in a module with and without a source map, with source maps
// off and on — each case in its own child process, the cases interleaved, median of the repetitions; the ratio
// is against "off, no map" of the same repetition. Knobs: BENCH_REPS (default 7), BENCH_STACKS (20000).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const STACKS = Number(process.env.BENCH_STACKS ?? 20000);

const SOURCE = `
function depth(n: number, f: () => string): string {
  return n === 0 ? f() : depth(n - 1, f);
}
export function stacksPerSecond(count: number): number {
  let length = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) length += depth(10, () => new Error('x').stack ?? '').length;
  const ms = performance.now() - start;
  if (length === 0) throw new Error('no stack');
  return (ms * 1000) / count;
}
`;

const CHILD = `
const [mode, module, stacks] = process.argv.slice(2);
if (mode === 'on') process.setSourceMapsEnabled(true);
const { stacksPerSecond } = await import(module);
stacksPerSecond(Math.ceil(Number(stacks) / 4)); // warm-up
process.stdout.write(String(stacksPerSecond(Number(stacks))));
`;

function main() {
  const dir = mkdtempSync(join(tmpdir(), 'aob-bench-source-maps-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'child.js'), CHILD);
    const compile = (sourceMap) =>
      ts.transpileModule(SOURCE, { fileName: 'stack.ts', compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap } });
    const mapped = compile(true);
    writeFileSync(join(dir, 'stack.ts'), SOURCE);
    writeFileSync(join(dir, 'mapped.js'), mapped.outputText.replace('stack.js.map', 'mapped.js.map'));
    writeFileSync(join(dir, 'mapped.js.map'), mapped.sourceMapText ?? '');
    writeFileSync(join(dir, 'plain.js'), compile(false).outputText);

    const cases = [
      ['off', 'plain.js'],
      ['on', 'plain.js'],
      ['off', 'mapped.js'],
      ['on', 'mapped.js'],
    ];
    const results = new Map(cases.map((c) => [c.join(' '), { us: [], ratio: [] }]));
    for (let rep = 0; rep < REPS; rep++) {
      const round = new Map();
      for (const [mode, file] of cases) {
        const r = spawnSync(process.execPath, [join(dir, 'child.js'), mode, join(dir, file), String(STACKS)], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${mode} ${file}: ${r.stderr}`);
        round.set(`${mode} ${file}`, Number(r.stdout));
      }
      const base = round.get('off plain.js');
      for (const [key, us] of round) {
        results.get(key).us.push(us);
        results.get(key).ratio.push(us / base);
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`Node ${process.version}, ${REPS} repetitions × ${STACKS} stacks of 12 frames, µs per new Error().stack`);
    console.log('| source maps | module | µs per stack (median) | × off, no map (median, min–max) |');
    console.log('|---|---|---|---|');
    for (const [key, { us, ratio }] of results) {
      const [mode, file] = key.split(' ');
      const range = `${Math.min(...ratio).toFixed(2)}–${Math.max(...ratio).toFixed(2)}`;
      console.log(`| ${mode} | ${file === 'mapped.js' ? 'with a map' : 'no map'} | ${median(us).toFixed(1)} | ${median(ratio).toFixed(2)} (${range}) |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
