// Offered load of BENCH_RATE spans/s for BENCH_SECONDS through the bridge (sampling 1.0) to the counting sink; prints
// what was ended, exported and dropped according to the bridge's own self metrics. Batch settings for throughput, not
// the defaults: the batch processor exports one batch at a time (sdk-trace 3.1 BatchSpanProcessorBase), so a rate is
// a batch per export round trip — 2,048-span batches in a 16,384-span queue dropped from 40,000 spans/s on this VM,
// 8,192 in 65,536 none at 60,000 (a batch of such spans is ~1–2 MB; the ingest takes 20 MiB, Relay more).
import { trace } from '@opentelemetry/api';
import { emitAtRate, settledTotals, spanOutcomes, startBridgeWith } from './lib.js';

const rate = Number(process.env.BENCH_RATE);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const bridge = await startBridgeWith({
  SENTRY_TRACES_SAMPLE_RATE: '1',
  OTEL_BSP_MAX_QUEUE_SIZE: process.env.OTEL_BSP_MAX_QUEUE_SIZE ?? '65536',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE ?? '8192',
  OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '100',
});
const tracer = trace.getTracer('bench');
const attributes = { 'agent.span.type': 'ai.request', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 };
const { ended, elapsed } = await emitAtRate(rate, seconds, () => tracer.startSpan('chat gpt-4o', { attributes }));
await bridge.forceFlush();
console.log(JSON.stringify({
    rate,
    achieved: ended / elapsed,
    ended,
    ...(await settledTotals(() => spanOutcomes(bridge.metricsUrl))),
}));
await bridge.shutdown();
process.exit(0);
