// Fixed load (BENCH_RATE spans/s) for BENCH_SECONDS; prints RSS once a second (the orchestrator takes the ingest
// down and up meanwhile), then a final line with RSS after GC and the bridge's span outcomes.
// BENCH_EXPORT_PATH=collector sends the spans through the collector path (OTEL_EXPORTER_OTLP_TRACES_*, pointed at
// the same ingest's OTLP route with its auth header) instead of the Sentry path, so both bounded paths are measured.
import { trace } from '@opentelemetry/api';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { collectorEnv, emitAtRate, spanOutcomes, sleep, startBridgeWith } from './lib.js';

const rate = Number(process.env.BENCH_RATE ?? 2000);
const seconds = Number(process.env.BENCH_SECONDS);
// Spans only through the collector exporter: Sentry span export off, the OTLP variables aimed at the ingest
// (collectorEnv sets them in process.env).
if (process.env.BENCH_EXPORT_PATH === 'collector') {
  process.env.AGENT_BRIDGE_SENTRY_TRACES = 'false';
  collectorEnv(getOtlpTracesEndpoint(process.env.BENCH_DSN));
}
const bridge = await startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '1', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_EXPORT_TIMEOUT: '2000' });
const tracer = trace.getTracer('bench');
let lastReport = -1000;
const { ended } = await emitAtRate(
  rate,
  seconds,
  () => tracer.startSpan('memory.search notes', { attributes: { 'agent.span.type': 'memory.operation' } }),
  (t) => {
    if (t - lastReport < 1000) return;
    lastReport = t;
    const m = process.memoryUsage();
    console.log(JSON.stringify({ t: Math.round(t / 1000), rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external }));
  },
);
await sleep(3000); // let exports resume and drain after the outage
globalThis.gc?.();
await sleep(200);
console.log(JSON.stringify({
    final: true,
    rss: process.memoryUsage().rss,
    ended,
    ...(await spanOutcomes(bridge.metricsUrl)),
}));
await bridge.shutdown();
process.exit(0);
