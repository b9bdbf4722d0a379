// A flood of unsampled spans in traces that never end (sampling 0, BENCH_ROOTS open roots, BENCH_RATE spans/s of
// ~1 KB each for BENCH_SECONDS): the failing-trace buffer (src/processors/error-traces.ts) holds them waiting for an
// error, within its byte bound. Prints RSS once a second, then RSS after GC and what the buffer did with the spans
// (`agent_bridge_error_trace_spans_total{outcome}`).
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { emitAtRate, metricSum, sleep, startBridgeWith } from './lib.js';

const rate = Number(process.env.BENCH_RATE ?? 5000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const bridge = await startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '0' });
const tracer = trace.getTracer('bench');
const roots = Array.from({ length: Number(process.env.BENCH_ROOTS ?? 10) }, (_, i) => trace.setSpan(ROOT_CONTEXT, tracer.startSpan(`invoke_agent long ${i}`)));
const prompt = 'x'.repeat(1000);
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let next = 0;
let lastReport = -1000;
const { ended } = await emitAtRate(
  rate,
  seconds,
  () => tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'bench.prompt': prompt } }, roots[next++ % roots.length]),
  (t) => {
    if (t - lastReport < 1000) return;
    lastReport = t;
    console.log(JSON.stringify({ t: Math.round(t / 1000), rss: process.memoryUsage().rss }));
  },
);
globalThis.gc?.();
await sleep(200);
const exposition = await (await fetch(bridge.metricsUrl)).text();
const outcome = (name) => metricSum(exposition, 'agent_bridge_error_trace_spans_total', { outcome: name });
console.log(JSON.stringify({ final: true, rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, heapBefore, ended, kept: outcome('kept'), evicted: outcome('evicted'), expired: outcome('expired') }));
await bridge.shutdown();
process.exit(0);
