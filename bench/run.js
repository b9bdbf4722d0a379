#!/usr/bin/env node
// `npm run bench`: the bridge's cost side by side with the floor, bare OpenTelemetry and Sentry's own tracer, its
// export throughput, its behaviour through an ingest outage, and the /metrics scrape latency. Each scenario runs
// in its own process (no global SDK state leaks between them); per-op scenarios are interleaved over repetitions
// and reported as medians. Options: --quick (fewer repetitions and steps, 10 s outage), --out FILE (results JSON there instead of bench/results/), --only sustained|processors|startup|per-op|throughput|outage|flood|scrape (comma-separated).
import { execFileSync, spawn } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, bridgeEnv, median, sleep } from './lib.js';
import { startSink } from './sink.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } } });
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  // Figures from an unsupported runtime would be quoted as ours: refuse (`. scripts/use-node.sh` provides Node 24).
  console.error(`bench: Node ${process.version} is below the supported 22.15; run \`. scripts/use-node.sh\` first`);
  process.exit(2);
}
const quick = args.quick;
const { startIngest } = await import(`${ROOT}dist/src/ingest/index.js`);
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' }); // the ingest gets core 1
    return true;
  } catch {
    return false;
  }
})();
const ingest = await startIngest({ maxSpans: 250_000, maxRawBytes: 1 });
const results = { date: new Date().toISOString(), quick, machine: machine(), versions: versions(), load: readFileSync('/proc/loadavg', 'utf8').trim() };
const want = (part) => !args.only || args.only.split(',').includes(part);

function machine() {
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

function versions() {
  const version = (pkg) => JSON.parse(readFileSync(`${ROOT}node_modules/${pkg}/package.json`, 'utf8')).version;
  return {
    'agent-otel-bridge': JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version,
    '@opentelemetry/sdk-trace': version('@opentelemetry/sdk-trace'),
    '@opentelemetry/sdk-node': version('@opentelemetry/sdk-node'),
    '@sentry/node': version('@sentry/node'),
  };
}

/** Run a bench child (pinned to core 0 when possible); resolve with its JSON lines. */
function child(script, argv = [], env = {}, onLine = () => {}) {
  const node = [...(['outage.js', 'flood.js', 'sustained.js'].includes(script) ? ['--expose-gc'] : []), `${ROOT}bench/${script}`, ...argv];
  const [cmd, cmdArgs] = hasTaskset ? ['taskset', ['-c', '0', process.execPath, ...node]] : [process.execPath, node];
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, cmdArgs, { cwd: ROOT, env: { ...process.env, BENCH_DSN: ingest.dsn, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = [];
    let buffer = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line);
        lines.push(parsed);
        onLine(parsed);
      }
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(lines);
      else reject(new Error(`${script} ${argv.join(' ')} exited with ${code}`));
    });
  });
}

/**
 * The headline: every stack in the regime users run (every sampled span exported to a counting sink), CPU µs per agent
 * step; scenarios in a fresh random order each repetition; medians over repetitions.
 */
async function sustained() {
  const labels = {
    noop: 'bare OTel SDK 3, BatchSpanProcessor, no-op exporter',
    otlp: 'bare OTel SDK 3 + stock OTLP proto exporter',
    'otlp-encoder': 'bare OTel SDK 3 + our OTLP encoder (same exporter otherwise)',
    helpers: 'agent helpers on bare OTel + stock OTLP exporter',
    'bridge-1.0': 'the bridge, sampling 1.0',
    'bridge-0.1': 'the bridge, sampling 0.1',
    'bridge-collector': 'the bridge, sampling 1.0, no DSN: collector export only (no Sentry SDK loaded)',
    'ratio-0.1': 'bare OTel + stock OTLP, ParentBased(TraceIdRatio 0.1)',
    nodesdk: 'bare OTel NodeSDK as preloaded (http + undici, ESM hook, stock OTLP proto)',
    sentry: '@sentry/node 11 own tracer, stream lifecycle (default)',
  };
  const reps = Number(process.env.BENCH_REPS ?? (quick ? 1 : 5));
  const env = quick ? { BENCH_STEPS: '600', BENCH_WARMUP_STEPS: '200' } : {};
  const sink = await startSink();
  const { getOtlpTracesEndpoint } = await import('@sentry/node');
  const endpoint = getOtlpTracesEndpoint(sink.dsn);
  const otlpEnv = { BENCH_DSN: sink.dsn, BENCH_OTLP_URL: endpoint.url, BENCH_OTLP_HEADERS: JSON.stringify(endpoint.headers) };
  const runs = Object.fromEntries(Object.keys(labels).map((k) => [k, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const scenario of shuffle(Object.keys(labels).filter((k) => !process.env.BENCH_SUSTAINED_ONLY || process.env.BENCH_SUSTAINED_ONLY.split(',').includes(k)))) {
      sink.clear();
      const [r] = await child('sustained.js', [scenario], { ...env, ...otlpEnv });
      runs[scenario].push({ ...r, received: sink.spans() });
      if (process.env.BENCH_DEBUG) process.stderr.write(`${JSON.stringify(runs[scenario].at(-1))}\n`);
    }
    process.stderr.write(`sustained: repetition ${rep + 1}/${reps}\n`);
  }
  await sink.close();
  const out = {};
  for (const [k, list] of Object.entries(runs)) {
    const last = list.at(-1);
    if (last === undefined) continue;
    const deliveredPerStep = median(list.map((r) => r.received / (r.steps + r.warmup)));
    out[k] = {
      label: labels[k],
      cpuUsPerStep: median(list.map((r) => r.cpuUsPerStep)),
      steps: last.steps,
      warmup: last.warmup,
      firstSteps: last.firstSteps,
      firstStepsCpuUsPerStep: median(list.map((r) => r.firstStepsCpuUsPerStep)),
      // The main thread's share (Node ≥ 23.9); the rest of cpuUsPerStep is V8's helper threads (GC, compiler).
      mainThreadUsPerStep: median(list.map((r) => r.mainThreadUsPerStep)),
      gcPauseUsPerStep: median(list.map((r) => r.gcPauseUsPerStep)),
      samples: list.map((r) => r.cpuUsPerStep),
      cpuUsPerDeliveredSpan: last.delivers ? median(list.map((r) => r.cpuUsPerStep / (r.received / (r.steps + r.warmup)))) : undefined,
      deliveredPerStep,
      // The sink's count against the stack's own: every ended span is delivered, or its drop is counted.
      accounting: list.map(accounting),
      ended: last.ended,
      exported: last.exported,
      dropped: last.dropped,
      failed: last.failed,
      received: last.received,
      rssUnderLoadMB: median(list.map((r) => r.rssUnderLoadMB)),
      liveHeapMB: median(list.map((r) => r.liveHeapMB)),
      externalMB: median(list.map((r) => r.externalMB)),
      youngGenerationMB: median(list.map((r) => r.youngGenerationMB)),
    };
  }
  const base = out.otlp?.cpuUsPerStep ?? NaN;
  const baseSamples = out.otlp?.samples ?? [];
  for (const v of Object.values(out)) {
    v.ratioToOtlp = v.cpuUsPerStep / base;
    // Every repetition runs each stack once: the ratio within each shows how far the headline ratio of medians moves
    // with the host and with the mode a process lands in (bench/README.md, the bimodal reference).
    const perRepetition = v.samples.map((x, i) => x / baseSamples[i]).filter((x) => Number.isFinite(x));
    v.ratioToOtlpRange = perRepetition.length === 0 ? undefined : [Math.min(...perRepetition), Math.max(...perRepetition)];
  }
  return out;
}

/**
 * 'exact': the sink received every span the stack ended (and the stack says it exported them all);
 * 'drops-counted': the stack counted its drops (or failed exports) and the sink got the rest; 'mismatch': the
 * stack's count and the sink's disagree.
 * Sentry's transport keeps no count: its undelivered spans are its drops (reported as a drop rate).
 */
function accounting(r) {
  const dropped = r.exported === undefined ? r.ended - r.received : r.dropped + (r.failed ?? 0);
  const dropRate = r.ended === 0 ? 0 : dropped / r.ended;
  if (r.exported === undefined) return { status: dropped === 0 ? 'exact' : 'drops-counted', dropRate };
  if ((r.delivers && r.received !== r.exported) || r.ended !== r.exported + dropped) return { status: 'mismatch', dropRate };
  return { status: dropped === 0 ? 'exact' : 'drops-counted', dropRate };
}

function shuffle(list) {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Each span processor's and the sampler's own time per agent step, timed in place in the running bridge
 * (bench/processor-cost.js); median of N runs, each exporting to a loopback counting sink.
 */
async function processorCost() {
  const runs = Number(process.env.BENCH_REPS ?? (quick ? 1 : 3));
  const env = quick ? { BENCH_STEPS: '1000', BENCH_WARMUP_STEPS: '200' } : {};
  const sink = await startSink();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const [r] = await child('processor-cost.js', [], { ...env, BENCH_DSN: sink.dsn });
    samples.push(r);
  }
  await sink.close();
  const out = {};
  for (const name of Object.keys(samples[0].processors)) {
    const of = (pick) => median(samples.map((s) => pick(s.processors[name])));
    out[name] = { usPerStep: of((p) => p.usPerStep), hooks: Object.fromEntries(Object.keys(samples[0].processors[name].hooks).map((h) => [h, of((p) => p.hooks[h])])) };
  }
  process.stderr.write(`processors: ${runs} runs of ${samples[0].steps} steps\n`);
  return { runs, steps: samples[0].steps, processors: out };
}

/** Start-up (spawn → the app's first line) and idle memory of a one-line app under no preload, NodeSDK, ours. */
async function startup() {
  const variants = {
    none: { label: 'no preload', args: [] },
    nodesdk: { label: 'bare OTel NodeSDK preload (http + undici, ESM hook, OTLP proto)', args: ['--import', `${ROOT}bench/preload-nodesdk.js`] },
    bridge: { label: 'agent-otel-bridge/register (Sentry DSN set)', args: ['--import', `${ROOT}dist/instrumentation/register.js`], env: { BENCH_WAIT_SENTRY: '1' } },
    // Beside it, what the bridge holds without Sentry's SDK (which only a DSN loads).
    bridgeNoDsn: { label: 'agent-otel-bridge/register, no DSN (no Sentry SDK)', args: ['--import', `${ROOT}dist/instrumentation/register.js`], env: { SENTRY_DSN: '' } },
  };
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? (quick ? 2 : 9));
  const { getOtlpTracesEndpoint } = await import('@sentry/node');
  const endpoint = getOtlpTracesEndpoint(ingest.dsn);
  // The DSN given explicitly: bridgeEnv() takes it from BENCH_DSN, which only the bench's children have.
  const env = { ...bridgeEnv({ SENTRY_DSN: ingest.dsn }), BENCH_OTLP_URL: endpoint.url, BENCH_OTLP_HEADERS: JSON.stringify(endpoint.headers) };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  // The app runs from a folder of its own, as a user's app does: from inside this repository every library the
  // preload instruments (openai, the Agents SDK, express, fastify, koa, ioredis: devDependencies here) would resolve
  // and its instrumentation would load.
  const appDir = mkdtempSync(join(tmpdir(), 'aob-startup-'));
  copyFileSync(`${ROOT}bench/startup-app.js`, join(appDir, 'startup-app.mjs'));
  try {
    for (let i = 0; i < runs; i++) {
      for (const k of shuffle(Object.keys(variants))) samples[k].push(await startOnce(variants[k].args, { ...env, ...variants[k].env }, appDir));
    }
  } finally {
    rmSync(appDir, { recursive: true, force: true });
  }
  return Object.fromEntries(
    Object.entries(variants).map(([k, v]) => [
      k,
      {
        label: v.label,
        firstLineMs: median(samples[k].map((s) => s.firstLineMs)),
        rssMB: median(samples[k].map((s) => s.rssMB)),
        heapMB: median(samples[k].map((s) => s.heapMB)),
        sentryUpRuns: samples[k].filter((s) => s.sentryUp).length,
        runs,
      },
    ]),
  );
}

/** What each part the preload loads costs to import, after the parts before it (bench/import-cost.js); median of N. */
async function importCost() {
  const runs = Number(process.env.BENCH_STARTUP_RUNS ?? (quick ? 2 : 9));
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push((await child('import-cost.js'))[0]);
  return Object.fromEntries(Object.keys(samples[0]).map((part) => [part, median(samples.map((s) => s[part]))]));
}

function startOnce(preload, env, appDir) {
  const node = ['--expose-gc', ...preload, join(appDir, 'startup-app.mjs')];
  const [cmd, cmdArgs] = hasTaskset ? ['taskset', ['-c', '0', process.execPath, ...node]] : [process.execPath, node];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(cmd, cmdArgs, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let firstLineMs;
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk) => {
      firstLineMs ??= performance.now() - started;
      out += chunk;
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last?.includes('rssMB')) reject(new Error(`startup-app ${preload.join(' ')} exited with ${code}`));
      else resolve({ firstLineMs, ...JSON.parse(last) });
    });
  });
}

async function perOp() {
  const labels = {
    a: 'no SDK (floor)',
    b: 'bare OTel SDK 3 + batch + no-op exporter',
    c: 'bridge, sampling 1.0',
    d: 'bridge, sampling 0.1',
    e: '@sentry/node 11, own tracer, stream lifecycle (default)',
    f: '@sentry/node 11, own tracer, static lifecycle',
  };
  const reps = quick ? 2 : 7; // processes differ by up to ~40 % on this VM (bench/README.md): more repetitions, steadier medians
  const samples = Object.fromEntries(Object.keys(labels).map((k) => [k, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const scenario of Object.keys(labels)) {
      const [result] = await child('per-op.js', [scenario], quick ? { BENCH_BATCHES: '3', BENCH_BATCH_SIZE: '1500', BENCH_WARMUP_BATCHES: '4' } : {});
      samples[scenario].push(result.nsPerOp);
      ingest.clear();
    }
    process.stderr.write(`per-op: repetition ${rep + 1}/${reps}\n`);
  }
  const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  // The ratio within each repetition (scenarios of one repetition run back to back): shows the run's spread.
  const paired = (k) => samples[k].map((v, i) => v / samples.b[i]);
  return Object.fromEntries(
    Object.keys(labels).map((k) => [k, { label: labels[k], nsPerOp: Math.round(ns[k]), ratioToB: ns[k] / ns.b, samples: samples[k].map(Math.round), pairedRatios: paired(k) }]),
  );
}

async function throughput() {
  const steps = quick ? [10_000, 20_000] : [10_000, 20_000, 30_000, 40_000, 60_000, 80_000, 100_000, 120_000];
  const sink = await startSink(); // counts only: the full ingest would be the bottleneck, not the bridge
  const runs = [];
  for (const rate of steps) {
    sink.clear();
    const [r] = await child('throughput.js', [], { BENCH_DSN: sink.dsn, BENCH_RATE: String(rate), BENCH_SECONDS: quick ? '2' : '3' });
    await sleep(300);
    runs.push({ ...r, received: sink.spans() });
    process.stderr.write(`throughput: offered ${rate}/s → exported ${r.exported} of ${r.ended}, dropped ${r.dropped}, failed ${r.failed}\n`);
  }
  await sink.close();
  // A rate counts when every span was exported and the emitter kept pace with it (within 1 %: the last timer lands
  // a millisecond or so late, which is not the stack falling behind).
  const clean = runs.filter((r) => r.dropped === 0 && r.failed === 0 && r.exported === r.ended && r.achieved >= 0.99 * r.rate);
  const best = clean.sort((x, y) => y.rate - x.rate)[0];
  return { runs, maxZeroDropSpansPerS: best ? best.rate : 0 };
}

/** `path`: 'sentry' (the Sentry OTLP export) or 'collector' (OTEL_EXPORTER_OTLP_TRACES_* at the same ingest). */
async function outage(path) {
  const down = quick ? 10 : 60;
  const before = 8;
  const after = 10;
  ingest.clear();
  const samples = [];
  const timeline = (async () => {
    await sleep(before * 1000);
    await ingest.setFault({ mode: 'down' });
    await sleep(down * 1000);
    await ingest.clearFault();
  })();
  const lines = await child('outage.js', [], { BENCH_RATE: '2000', BENCH_SECONDS: String(before + down + after), BENCH_EXPORT_PATH: path }, (l) => l.rss && !l.final && samples.push(l));
  await timeline;
  const final = lines.find((l) => l.final);
  const baseline = Math.max(...samples.filter((s) => s.t < before).map((s) => s.rss));
  const peak = Math.max(...samples.filter((s) => s.t >= before && s.t <= before + down).map((s) => s.rss));
  return {
    exportPath: path,
    outageSeconds: down,
    rssBaselineMB: baseline / 2 ** 20,
    rssPeakDuringMB: peak / 2 ** 20,
    rssGrowthMB: (peak - baseline) / 2 ** 20,
    rssAfterGcMB: final.rss / 2 ** 20,
    ended: final.ended,
    exported: final.exported,
    dropped: final.dropped,
    failed: final.failed,
    receivedAfterRecovery: ingest.stats().spans,
  };
}

/** The failing-trace buffer under a flood of unsampled spans in traces that never end: RSS stays bounded. */
async function flood() {
  const seconds = quick ? 3 : 10;
  const rate = 5000;
  const samples = [];
  const lines = await child('flood.js', [], { BENCH_RATE: String(rate), BENCH_SECONDS: String(seconds) }, (l) => l.rss && !l.final && samples.push(l));
  const final = lines.find((l) => l.final);
  const first = samples[0]?.rss ?? final.rss;
  const peak = Math.max(first, ...samples.map((s) => s.rss));
  process.stderr.write(`flood: ${final.ended} spans, ${final.evicted} evicted by the byte bound, RSS +${((peak - first) / 2 ** 20).toFixed(1)} MB\n`);
  return { seconds, rate, bufferBytes: final.bufferBytes, ended: final.ended, kept: final.kept, evicted: final.evicted, expired: final.expired, rssFirstMB: first / 2 ** 20, rssPeakMB: peak / 2 ** 20, rssGrowthMB: (peak - first) / 2 ** 20, rssAfterGcMB: final.rss / 2 ** 20, heapGrowthAfterGcMB: (final.heapUsed - final.heapBefore) / 2 ** 20 };
}

async function scrape() {
  const out = {};
  for (const series of [1000, 10_000]) {
    const [r] = await child('scrape.js', [], { BENCH_SERIES: String(series), BENCH_SCRAPES: quick ? '10' : '30' });
    out[series] = r;
    process.stderr.write(`scrape: ${series} series → p95 ${r.p95.toFixed(1)} ms\n`);
  }
  return out;
}

try {
  if (want('sustained')) results.sustained = await sustained();
  if (want('startup')) {
    results.startup = await startup();
    results.importCost = await importCost();
  }
  if (want('processors')) results.processors = await processorCost();
  if (want('per-op')) results.perOp = await perOp();
  if (want('throughput')) results.throughput = await throughput();
  if (want('outage')) {
    results.outage = await outage('sentry');
    results.outageCollector = await outage('collector');
  }
  if (want('flood')) results.flood = await flood();
  if (want('scrape')) results.scrape = await scrape();
} finally {
  await ingest.close();
}

results.targets = targets(results);
const markdown = render(results);
console.log(markdown);
mkdirSync(`${ROOT}bench/results`, { recursive: true });
// Only a complete run may become `latest` (the README quotes it); partial and quick runs get their own names.
const stamp = results.date.slice(0, 19).replaceAll(':', '-');
const names = quick || args.only ? [`${stamp}-${args.only ?? 'all'}${quick ? '-quick' : ''}`] : ['latest', stamp];
if (args.out) writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
for (const name of args.out ? [] : names) {
  writeFileSync(`${ROOT}bench/results/${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${ROOT}bench/results/${name}.md`, `${markdown}\n`);
}

/** A ratio's range within repetitions, as the table and the target print it. */
function formatRange([min, max]) {
  return `${min.toFixed(2)}–${max.toFixed(2)}`;
}

function targets(r) {
  const t = [];
  if (r.sustained?.['bridge-1.0'] && r.sustained.otlp) {
    const s = r.sustained;
    const range = s['bridge-1.0'].ratioToOtlpRange;
    const within = range === undefined ? '' : ` (within a repetition ${formatRange(range)})`;
    t.push({ target: 'sustained: bridge 1.0 ≤ 1.0 × bare OTel + stock OTLP', value: `${s['bridge-1.0'].ratioToOtlp.toFixed(2)} ×${within}`, met: s['bridge-1.0'].ratioToOtlp <= 1 });
    if (s.sentry) {
      const x = s.sentry.cpuUsPerDeliveredSpan / s['bridge-1.0'].cpuUsPerDeliveredSpan;
      t.push({ target: 'sustained: Sentry tracer ≥ 8 × the bridge per delivered span', value: `${x.toFixed(2)} ×`, met: x >= 8 });
    }
    // Memory beside both bare stacks: the bare NodeSDK preload (the issue's comparison) and bare sdk-trace alone (stricter:
    // no instrumentation, no ESM hook, no resource detection).
    // Live memory is the heap and V8's external memory together: Node keeps a module file over 1 MiB outside the heap.
    const liveMemory = (v) => (v.liveHeapMB === undefined || v.externalMB === undefined ? undefined : v.liveHeapMB + v.externalMB);
    const { rssUnderLoadMB: rssBridge } = s['bridge-1.0'];
    const liveBridge = liveMemory(s['bridge-1.0']);
    for (const [key, name] of [['nodesdk', 'the bare NodeSDK preload'], ['otlp', 'bare OTel SDK (+ stock OTLP)']]) {
      const bare = s[key];
      if (bare === undefined) continue;
      t.push({ target: `RSS under sustained load ≤ ${name}`, value: `${rssBridge.toFixed(0)} vs ${bare.rssUnderLoadMB.toFixed(0)} MB`, met: rssBridge <= bare.rssUnderLoadMB });
      const liveBare = liveMemory(bare);
      if (liveBridge !== undefined && liveBare !== undefined) {
        t.push({ target: `live memory (heap + external) after the sustained load ≤ ${name}`, value: `${liveBridge.toFixed(1)} vs ${liveBare.toFixed(1)} MB`, met: liveBridge <= liveBare });
      }
    }
  }
  if (r.startup) {
    const added = r.startup.bridge.firstLineMs - r.startup.none.firstLineMs;
    t.push({ target: 'start-up added by the preload ≤ 300 ms', value: `${added.toFixed(0)} ms`, met: added <= 300 });
    t.push({ target: 'idle RSS ≤ bare NodeSDK preload', value: `${r.startup.bridge.rssMB.toFixed(0)} vs ${r.startup.nodesdk.rssMB.toFixed(0)} MB`, met: r.startup.bridge.rssMB <= r.startup.nodesdk.rssMB });
  }
  if (r.perOp) {
    t.push({ target: 'closed loop: (c) ≤ 1.3 × (b)', value: `${r.perOp.c.ratioToB.toFixed(2)} ×`, met: r.perOp.c.ratioToB <= 1.3 });
    const ec = r.perOp.e.nsPerOp / r.perOp.c.nsPerOp;
    t.push({ target: 'closed loop: (e) ≥ 8 × (c)', value: `${ec.toFixed(2)} ×`, met: ec >= 8 });
  }
  if (r.throughput) t.push({ target: '≥ 60k spans/s exported on one core, 0 drops', value: `${r.throughput.maxZeroDropSpansPerS}/s`, met: r.throughput.maxZeroDropSpansPerS >= 60_000 });
  for (const o of [r.outage, r.outageCollector]) {
    if (o) t.push({ target: `RSS growth ≤ 64 MB over the outage (${o.exportPath ?? 'sentry'} export path)`, value: `${o.rssGrowthMB.toFixed(1)} MB`, met: o.rssGrowthMB <= 64 });
  }
  if (r.flood) t.push({ target: 'failing-trace buffer under a flood: live heap within its byte bound', value: `+${r.flood.heapGrowthAfterGcMB.toFixed(1)} MB (bound ${r.flood.bufferBytes / 2 ** 20} MiB)`, met: r.flood.heapGrowthAfterGcMB <= r.flood.bufferBytes / 2 ** 20 });
  if (r.scrape) t.push({ target: 'scrape p95 ≤ 100 ms at 10k series', value: `${r.scrape[10000].p95.toFixed(1)} ms`, met: r.scrape[10000].p95 <= 100 });
  return t;
}

function render(r) {
  const lines = [`# agent-otel-bridge bench — ${r.date}${r.quick ? ' (quick)' : ''}`, '', `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ')}; load before: ${r.load}`, ''];
  if (r.sustained) {
    lines.push(
      `**Sustained regime** (the headline): agent steps of 3 spans, every sampled span exported to a loopback counting sink; CPU µs per step at steady state (${r.sustained.otlp?.steps ?? '?'} steps measured after ${r.sustained.otlp?.warmup ?? '?'} warm-up steps), export and final flush included; median over repetitions, scenario order random per repetition; batch processor at its defaults (queue 2048, batch 512, 5 s delay). The first ${r.sustained.otlp?.firstSteps ?? '?'} steps of each process, timed on their own, include V8's compilation of the stack's code.`,
      '',
      `| stack | CPU µs / step | × bare OTel + OTLP | × bare within a repetition, min–max | CPU µs / delivered span | spans delivered / ended | accounting (drop rate) | main-thread GC pauses µs / step | RSS under load MB (young generation) | live heap + external after GC MB | first ${r.sustained.otlp?.firstSteps ?? '?'} steps: CPU µs / step |`,
      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    );
    const fixed = (x) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(1));
    for (const v of Object.values(r.sustained)) {
      const states = [...new Set(v.accounting.map((a) => a.status))].join(', ');
      const maxDrop = Math.max(...v.accounting.map((a) => a.dropRate));
      const perSpan = v.cpuUsPerDeliveredSpan === undefined ? '—' : v.cpuUsPerDeliveredSpan.toFixed(1);
      const range = v.ratioToOtlpRange === undefined ? '—' : formatRange(v.ratioToOtlpRange);
      lines.push(`| ${v.label} | ${v.cpuUsPerStep.toFixed(1)} | ${v.ratioToOtlp.toFixed(2)} | ${range} | ${perSpan} | ${v.received} / ${v.ended} | ${states} (${(maxDrop * 100).toFixed(1)} %) | ${fixed(v.gcPauseUsPerStep)} | ${v.rssUnderLoadMB.toFixed(0)} (${fixed(v.youngGenerationMB)}) | ${fixed(v.liveHeapMB)} + ${fixed(v.externalMB)} | ${fixed(v.firstStepsCpuUsPerStep)} |`);
    }
    lines.push('');
  }
  if (r.processors) {
    lines.push(`**Where the bridge's own time goes** (bench/processor-cost.js): the sustained agent step through the running bridge (sampling 1.0, DSN, exporting), each span processor's hooks and the sampler timed in place, a do-nothing processor's timer cost subtracted; µs per step (3 spans), median of ${r.processors.runs} runs of ${r.processors.steps} steps. Timed inside one process: between separate processes the differences are below the host's noise.`, '', '| in the span path, in order | µs / step | onStart (sampler: shouldSample) | onEnding | onEnd |', '|---|---:|---:|---:|---:|');
    const us = (v) => (v === undefined ? '—' : v.toFixed(2));
    for (const [name, p] of Object.entries(r.processors.processors)) lines.push(`| ${name} | ${us(p.usPerStep)} | ${us(p.hooks.onStart ?? p.hooks.shouldSample)} | ${us(p.hooks.onEnding)} | ${us(p.hooks.onEnd)} |`);
    lines.push('');
  }
  if (r.startup) {
    lines.push('**Start-up and idle memory** (a one-line app; median of N runs): time from spawning `node` to the app\'s first line of output; RSS and heap after ≥ 1 s idle and a GC — for the bridge, once its Sentry SDK (loaded when the app\'s start-up has settled) is up: the last column counts the runs where it was.', '', '| preload | first line ms | added ms | idle RSS MB | heap used MB | Sentry SDK up when measured |', '|---|---:|---:|---:|---:|---:|');
    for (const v of Object.values(r.startup)) lines.push(`| ${v.label} | ${v.firstLineMs.toFixed(0)} | ${(v.firstLineMs - r.startup.none.firstLineMs).toFixed(0)} | ${v.rssMB.toFixed(0)} | ${v.heapMB.toFixed(1)} | ${v.sentryUpRuns} of ${v.runs} |`);
    lines.push('');
  }
  if (r.importCost) {
    lines.push('**Import cost of each part** (bench/import-cost.js: a fresh process imports each part after the ones before it, in the order the preload needs them; median of N):', '', '| part | ms |', '|---|---:|');
    for (const [part, ms] of Object.entries(r.importCost)) lines.push(`| ${part} | ${ms.toFixed(0)} |`);
    lines.push('');
  }
  if (r.perOp) {
    lines.push('**Closed loop** (secondary): one aiRequest per op, never yielding, so no export completes inside a timed batch; the bridge\'s queue fills and further spans are dropped unserialized. It measures the per-span cost on the application\'s own path, not the cost of exporting.', '');
    lines.push('| scenario (one aiRequest with usage) | ns/op (median) | ratio to (b) | ratio within a repetition, min–max |', '|---|---:|---:|---:|');
    for (const [k, v] of Object.entries(r.perOp)) {
      const spread = `${Math.min(...v.pairedRatios).toFixed(2)}–${Math.max(...v.pairedRatios).toFixed(2)}`;
      lines.push(`| (${k}) ${v.label} | ${v.nsPerOp.toLocaleString('en-US')} | ${v.ratioToB.toFixed(2)} | ${spread} |`);
    }
    lines.push('');
  }
  if (r.throughput) {
    lines.push('**Throughput**: the bridge at sampling 1.0, one span per call, offered for a few seconds (a rate is met when every span is exported and the offer kept pace within 1 %); OTEL_BSP_MAX_QUEUE_SIZE=65536, OTEL_BSP_MAX_EXPORT_BATCH_SIZE=8192, OTEL_BSP_SCHEDULE_DELAY=100 (not the defaults: the batch processor exports one batch at a time).', '', '| offered spans/s | achieved | exported | dropped | failed | received by the sink |', '|---:|---:|---:|---:|---:|---:|');
    for (const x of r.throughput.runs) lines.push(`| ${x.rate} | ${Math.round(x.achieved)} | ${x.exported} | ${x.dropped} | ${x.failed} | ${x.received} |`);
    lines.push('');
  }
  for (const o of [r.outage, r.outageCollector]) {
    if (!o) continue;
    lines.push(`Outage, ${o.exportPath ?? 'sentry'} export path (${o.outageSeconds} s down at 2,000 spans/s; OTEL_BSP_SCHEDULE_DELAY=200, OTEL_BSP_EXPORT_TIMEOUT=2000, other batch settings default): RSS ${o.rssBaselineMB.toFixed(1)} MB before, peak ${o.rssPeakDuringMB.toFixed(1)} MB during (+${o.rssGrowthMB.toFixed(1)} MB), ${o.rssAfterGcMB.toFixed(1)} MB after recovery + GC; ${o.ended} spans ended, ${o.exported} exported, ${o.dropped} dropped (counted), ${o.failed} failed; ingest received ${o.receivedAfterRecovery} spans (exports resumed).`, '');
  }
  if (r.flood) {
    const f = r.flood;
    lines.push(`Failing-trace buffer under a flood (sampling 0, ${f.rate} spans/s of ~1 KB in 10 traces that never end, ${f.seconds} s; AGENT_BRIDGE_ERROR_TRACE_BUFFER_BYTES default ${f.bufferBytes / 2 ** 20} MiB): ${f.ended} spans held in turn, ${f.evicted} evicted by the byte bound (counted), ${f.kept} kept; RSS ${f.rssFirstMB.toFixed(1)} MB at the first second, peak ${f.rssPeakMB.toFixed(1)} MB (+${f.rssGrowthMB.toFixed(1)} MB), ${f.rssAfterGcMB.toFixed(1)} MB after GC; live heap after GC +${f.heapGrowthAfterGcMB.toFixed(1)} MB over the start (what the buffer holds: RSS also keeps the GC's headroom for the promoted garbage).`, '');
  }
  if (r.scrape) {
    lines.push('| /metrics | series in the exposition | models | bytes | p50 ms | p95 ms |', '|---|---:|---:|---:|---:|---:|');
    for (const [n, x] of Object.entries(r.scrape)) lines.push(`| ${Number(n).toLocaleString('en-US')} series | ${x.measuredSeries} | ${x.models} | ${x.bytes.toLocaleString('en-US')} | ${x.p50.toFixed(1)} | ${x.p95.toFixed(1)} |`);
    lines.push('');
  }
  lines.push('| target | measured | met |', '|---|---:|:-:|');
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
