// A flood of unsampled spans in traces that never end (sampling 0, BENCH_ROOTS open roots, BENCH_RATE spans/s of
// ~1 KB each for BENCH_SECONDS, after a short warm-up): the failing-trace buffer (src/processors/error-traces.ts)
// holds them waiting for an error, within its byte bound. Prints RSS once a second, then RSS after GC, the bound in
// effect and what the buffer did with the spans (`agent_bridge_error_trace_spans_total{outcome}`).
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { emitAtRate, metricSum, sleep, startBridgeWith } from './lib.js';

const rate = Number(process.env.BENCH_RATE ?? 5000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const bridge = await startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '0' });
const tracer = trace.getTracer('bench');
const rootCount = Number(process.env.BENCH_ROOTS ?? 10);
const startRoots = (label) => Array.from({ length: rootCount }, (_, i) => tracer.startSpan(`invoke_agent ${label} ${i}`));
const prompt = 'x'.repeat(1000);
let next = 0;
const floodOf = (roots) => () => tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'bench.prompt': prompt } }, trace.setSpan(ROOT_CONTEXT, roots[next++ % roots.length]));
const outcomes = async () => {
  const exposition = await (await fetch(bridge.metricsUrl)).text();
  return Object.fromEntries(['kept', 'evicted', 'expired'].map((name) => [name, metricSum(exposition, 'agent_bridge_error_trace_spans_total', { outcome: name })]));
};

// Warm-up, below the byte bound (BENCH_WARMUP_SECONDS at the same rate, in traces that then end, which lets their
// spans go): the live heap is measured from here, so what it grows by is what the buffer holds, not the code V8
// compiles for this path or the metric series its first spans create (≈ 3 MB, which until 2026-12-03 counted as
// buffer: the live heap grew +4.4 MB with a 2 MiB bound and +8.8 MB with 8 MiB — ~2.2 KB per span held).
const warmupRoots = startRoots('warm-up');
await emitAtRate(rate, Number(process.env.BENCH_WARMUP_SECONDS ?? 0.5), floodOf(warmupRoots));
for (const root of warmupRoots) root.end();
await sleep(200);
const before = await outcomes();
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;

let lastReport = -1000;
const { ended } = await emitAtRate(rate, seconds, floodOf(startRoots('long')), (t) => {
  if (t - lastReport < 1000) return;
  lastReport = t;
  console.log(JSON.stringify({ t: Math.round(t / 1000), rss: process.memoryUsage().rss }));
});
globalThis.gc?.();
await sleep(200);
const after = await outcomes();
const counts = Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - before[name]]));
const bufferBytes = bridge.config.errorTraceBuffer.maxBytes;
console.log(JSON.stringify({ final: true, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, heapBefore, ended, bufferBytes, ...counts }));
await bridge.shutdown();
process.exit(0);
