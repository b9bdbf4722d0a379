// Fixed load (BENCH_RATE spans/s) for BENCH_SECONDS; prints RSS once a second (the orchestrator takes the ingest
// down and up meanwhile), then a final line with RSS after GC and the bridge's span outcomes.
import { trace } from '@opentelemetry/api';
import { emitAtRate, spanOutcomes, sleep, startBridgeWith } from './lib.js';

const rate = Number(process.env.BENCH_RATE ?? 2000);
const seconds = Number(process.env.BENCH_SECONDS);
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
    console.log(JSON.stringify({ t: Math.round(t / 1000), rss: process.memoryUsage().rss }));
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
