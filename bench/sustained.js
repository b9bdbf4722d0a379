// One stack in the sustained regime, in a fresh process: agent steps (`invoke_agent` → `memory.search` + `chat`,
// 3 spans), yielding to the event loop for BENCH_YIELD_MS every BENCH_YIELD_EVERY steps so exports run; every
// sampled span is exported for real to the orchestrator's loopback ingest. Prints CPU µs per step over the
// measured steps, the final flush included, and the stack's own span accounting (ended / exported / dropped).
import { trace } from '@opentelemetry/api';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import v8 from 'node:v8';
import { helperStep, rawStep as rawStepOn } from './agent-step.js';
import { bridgeSpanTotals, collectorEnv, settledTotals, setupBareOtel, setupNodeSdk, setupSentryTracer, startBridgeWith } from './lib.js';

const scenario = process.argv[2];
const steps = Number(process.env.BENCH_STEPS ?? 20_000);
// Steady state: V8 keeps compiling (on background threads, whose CPU the process pays) for ~15,000–20,000 steps of
// every stack here; measured after 6,000 steps (until 2026-12-03) each figure held part of that one-time cost, the
// most for the stacks with the most code. The first BENCH_FIRST_STEPS steps are timed on their own: what a process
// pays for its first steps, JIT warm-up included.
const warmup = Number(process.env.BENCH_WARMUP_STEPS ?? 30_000);
const firstSteps = Math.min(Number(process.env.BENCH_FIRST_STEPS ?? 6000), warmup);
const yieldEvery = Number(process.env.BENCH_YIELD_EVERY ?? 50);
// Each yield idles this long: at most 150 spans per 3 ms (50k spans/s), below what every exporting stack and the
// sink sustain here, so the regime is "everything sampled is exported" (a stack that falls behind shows drops).
// Idle time is not CPU time: the figure is unaffected by the pause itself.
const yieldMs = Number(process.env.BENCH_YIELD_MS ?? 3);
const otlp = { url: process.env.BENCH_OTLP_URL, headers: JSON.parse(process.env.BENCH_OTLP_HEADERS ?? '{}') };

/** Each stack: how it starts, which step it runs, how it flushes, what it says it ended/exported/dropped. */
const stacks = {
  noop: async () => bareStack(await setupBareOtel({ exporter: 'noop' }), rawStep),
  otlp: async () => bareStack(await setupBareOtel({ exporter: 'stock', otlp }), rawStep),
  'otlp-encoder': async () => bareStack(await setupBareOtel({ exporter: 'ours', otlp }), rawStep),
  helpers: async () => bareStack(await setupBareOtel({ exporter: 'stock', otlp }), await helperStep()),
  'ratio-0.1': async () => bareStack(await setupBareOtel({ exporter: 'stock', otlp, ratio: 0.1 }), rawStep),
  // The bare NodeSDK preload of the start-up bench (http + undici instrumentation, ESM hook, stock OTLP), started here:
  // the memory comparison the issue names. It samples every span: each step ends 3.
  nodesdk: async () => {
    const sdk = await setupNodeSdk({ otlp });
    return {
      step: async (i) => {
        await rawStep(i);
        sdk.ended(3);
      },
      flush: () => sdk.forceFlush(),
      totals: async () => sdk.totals(),
    };
  },
  'bridge-1.0': () => bridgeStack('1'),
  'bridge-0.1': () => bridgeStack('0.1'),
  // Without a DSN: spans to the collector export only (the sink's OTLP route), no Sentry SDK in the process.
  'bridge-collector': () => bridgeStack('1', { SENTRY_DSN: '', ...collectorEnv(otlp) }),
  sentry: async () => {
    const Sentry = await setupSentryTracer('stream');
    let ended = 0;
    return {
      step: async (i) => {
        await rawStep(i);
        ended += 3;
      },
      flush: () => Sentry.flush(30_000),
      // Sentry's transport keeps no count the bench can read: the sink's count is the delivered one.
      totals: async () => ({ ended, exported: undefined, dropped: undefined }),
    };
  },
};

function bareStack(sdk, step) {
  return { step, flush: () => sdk.forceFlush(), totals: async () => sdk.totals() };
}

async function bridgeStack(rate, extra = {}) {
  const bridge = await startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: rate, ...extra });
  return { step: await helperStep(), flush: () => bridge.forceFlush(), totals: () => settledTotals(() => bridgeSpanTotals(bridge.metricsUrl)) };
}

const rawStep = rawStepOn(trace.getTracer('bench-agent', '1.0.0'));

const stack = await stacks[scenario]();
const yieldToLoop = () => new Promise((resolve) => setTimeout(resolve, yieldMs));
let calls = 0; // every step a call of its own (its response id, its conversation), warm-up included
async function run(count, onYield = () => {}) {
  for (let i = 1; i <= count; i++) {
    await stack.step(calls++);
    if (i % yieldEvery === 0) {
      await yieldToLoop();
      onYield();
    }
  }
}

const firstStarted = process.cpuUsage();
await run(firstSteps);
const first = process.cpuUsage(firstStarted);
await run(warmup - firstSteps);
await stack.flush(); // the warm-up's spans are exported before the clock starts
const profiler = await startProfile(process.env.BENCH_CPU_PROFILE, process.env.BENCH_HEAP_PROFILE);
// Main-thread GC pauses over the measured steps, by kind: what a stack's allocation and retention cost it.
const gc = { pauseMs: 0, scavenges: 0, fullGcs: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.pauseMs += entry.duration;
    if (entry.detail?.kind === perf.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
    else if (entry.detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) gc.fullGcs++;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
let peakRss = process.memoryUsage.rss();
let sinceRss = 0;
const started = process.cpuUsage();
const threadStarted = process.threadCpuUsage?.();
const wallStart = performance.now();
await run(steps, () => {
  if (++sinceRss === 20) {
    sinceRss = 0;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
});
await stack.flush();
const cpu = process.cpuUsage(started);
const thread = threadStarted && process.threadCpuUsage(threadStarted);
const wallMs = performance.now() - wallStart;
await profiler?.stop();
await new Promise((resolve) => setImmediate(resolve)); // the last GC entries are delivered
gcObserver.disconnect();
const totals = await stack.totals();
console.log(JSON.stringify({
  scenario,
  steps,
  warmup,
  cpuUsPerStep: (cpu.user + cpu.system) / steps,
  firstSteps,
  firstStepsCpuUsPerStep: firstSteps === 0 ? undefined : (first.user + first.system) / firstSteps,
  // The main thread alone (Node ≥ 23.9): the rest of cpuUsPerStep is other threads — V8's GC helpers mostly.
  mainThreadUsPerStep: thread ? (thread.user + thread.system) / steps : undefined,
  wallMs,
  gcPauseUsPerStep: (gc.pauseMs * 1000) / steps,
  scavenges: gc.scavenges,
  fullGcs: gc.fullGcs,
  ...totals,
  delivers: scenario !== 'noop', // the no-op exporter sends nothing to the sink
  rssUnderLoadMB: peakRss / 2 ** 20,
  heapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
  ...memoryAfterGc(),
}));
process.exit(0);

/**
 * What the stack holds once the steps are over (the orchestrator runs this child with --expose-gc): the live heap
 * after two full GCs, and the external memory V8 accounts beside it — ArrayBuffers, and the source of every module
 * file over 1 MiB, which Node hands to V8 as an external string (a 1.05 MB module counted 2 MB there and nothing
 * in the heap; the same module at 1.00 MB, 1 MB of heap) — so the two are only comparable summed; and the young
 * generation V8 sized itself to under the load — RSS under load is mostly that (V8 grows it from 64 to 128 MB here
 * after some tens of thousands of steps, bare OpenTelemetry too), not what the stack keeps.
 * `BENCH_HEAP_SNAPSHOT=/tmp/x-`: a heap snapshot of that live heap in `/tmp/x-<stack>.heapsnapshot`, for finding
 * what it holds.
 */
function memoryAfterGc() {
  if (typeof globalThis.gc !== 'function') return {};
  globalThis.gc();
  globalThis.gc();
  const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  const { heapUsed, external } = process.memoryUsage();
  if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}${scenario}.heapsnapshot`);
  return { liveHeapMB: heapUsed / 2 ** 20, externalMB: external / 2 ** 20, youngGenerationMB: (newSpace?.space_size ?? 0) / 2 ** 20 };
}

/**
 * `BENCH_CPU_PROFILE=file.cpuprofile`: a CPU profile of the measured steps only (not start-up or warm-up), for
 * finding where a stack's time goes (sampled every BENCH_CPU_PROFILE_INTERVAL µs, default 200);
 * `BENCH_HEAP_PROFILE=file.heapprofile`: a sampling profile of what those steps allocate (every allocation, collected
 * or not; with BENCH_HEAP_LIVE=1 only what is still live when they end). The figures printed then include the
 * profiler's own overhead.
 */
async function startProfile(cpuFile, heapFile) {
  if (!cpuFile && !heapFile) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  if (cpuFile) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROFILE_INTERVAL ?? 200) });
    await session.post('Profiler.start');
  }
  if (heapFile) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: !process.env.BENCH_HEAP_LIVE, includeObjectsCollectedByMinorGC: !process.env.BENCH_HEAP_LIVE });
  }
  return {
    stop: async () => {
      if (cpuFile) writeFileSync(cpuFile, JSON.stringify((await session.post('Profiler.stop')).profile));
      if (heapFile) writeFileSync(heapFile, JSON.stringify((await session.post('HeapProfiler.stopSampling')).profile));
      session.disconnect();
    },
  };
}
