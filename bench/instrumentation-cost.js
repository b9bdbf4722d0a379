// Start-up cost of one library instrumentation of the preload (issue 23: "report each one's start-up cost").
// Usage: node bench/instrumentation-cost.js [shortName=ioredis] [library=ioredis] [module=dist/instrumentation/ioredis/instrumentation.js]
// Fresh processes, interleaved, medians of BENCH_RUNS (default 11):
//  import   — in-process time of `import(module)` after what the preload has already loaded (the OpenTelemetry API,
//             @opentelemetry/instrumentation, semconv): what enabling the instrumentation adds to the preload's imports;
//  preload  — spawn → first line of a one-line app under the preload, the instrumentation enabled vs disabled
//             (OTEL_NODE_DISABLED_INSTRUMENTATIONS), the library installed;
//  library  — the app's own `require(library)` under the preload, enabled (patched on load) vs disabled.
import { spawn } from 'node:child_process';
import { ROOT } from './lib.js';

const [name = 'ioredis', library = 'ioredis', module = 'dist/instrumentation/ioredis/instrumentation.js'] = process.argv.slice(2);
const runs = Number(process.env.BENCH_RUNS ?? 11);
const REGISTER = `${ROOT}dist/instrumentation/register.js`;
const env = (disabled) => ({
  ...process.env,
  AGENT_BRIDGE_QUIET: 'true',
  AGENT_BRIDGE_METRICS_ENABLED: 'false',
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: disabled ? name : '',
});

const IMPORT = `
await import('@opentelemetry/api'); await import('@opentelemetry/instrumentation'); await import('@opentelemetry/semantic-conventions/incubating');
const t = performance.now(); await import(${JSON.stringify(`${ROOT}${module}`)}); console.log(performance.now() - t);`;
const LIBRARY = `const t = performance.now(); require(${JSON.stringify(library)}); console.log(performance.now() - t);`;

/** Runs node with `args`; resolves with [ms to the first stdout line, the first line]. */
function once(args, childEnv) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let first;
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => {
      first ??= performance.now() - started;
      out += chunk;
    });
    proc.once('exit', (code) => (code === 0 ? resolve([first, Number(out.split('\n')[0])]) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = { import: [], preloadOn: [], preloadOff: [], libraryOn: [], libraryOff: [] };
for (let i = 0; i < runs; i++) {
  s.import.push((await once(['--input-type=module', '-e', IMPORT], env(false)))[1]);
  s.preloadOn.push((await once(['--import', REGISTER, '-e', 'console.log(0)'], env(false)))[0]);
  s.preloadOff.push((await once(['--import', REGISTER, '-e', 'console.log(0)'], env(true)))[0]);
  s.libraryOn.push((await once(['--import', REGISTER, '-e', LIBRARY], env(false)))[1]);
  s.libraryOff.push((await once(['--import', REGISTER, '-e', LIBRARY], env(true)))[1]);
}
const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Number(median(v).toFixed(1))]));
console.log(JSON.stringify({ instrumentation: name, runs, medianMs: m, preloadAddedMs: Number((m.preloadOn - m.preloadOff).toFixed(1)), libraryLoadRatio: Number((m.libraryOn / m.libraryOff).toFixed(2)) }));
