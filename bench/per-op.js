// One per-operation scenario in a fresh process: set up the stack, warm up, time batches, print the median ns/op.
import { loadOperation, median, setupBareOtel, setupSentryTracer, startBridgeWith } from './lib.js';

const scenario = process.argv[2];
const batches = Number(process.env.BENCH_BATCHES ?? 7);
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 3000);
// Warm-up until every stack is at steady state: the bare SDK (b) keeps speeding up for its first ~25k spans (JIT,
// queue and GC settling); the bridge (c) has a larger start-up heap (Sentry, instrumentations), whose first
// major GC lands after ~40k spans and is followed by ~25k slower spans (bench/README.md has the batch series).
const warmupBatches = Number(process.env.BENCH_WARMUP_BATCHES ?? 25);

const setups = {
  a: async () => {},
  b: setupBareOtel,
  c: () => startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '1' }),
  d: () => startBridgeWith({ SENTRY_TRACES_SAMPLE_RATE: '0.1' }),
  e: () => setupSentryTracer('stream'),
  f: () => setupSentryTracer('static'),
};
await setups[scenario]();
const op = await loadOperation();

for (let i = 0; i < batchSize * warmupBatches; i++) await op(); // warm-up (JIT, caches, first exports)
const perBatch = [];
for (let b = 0; b < batches; b++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batchSize; i++) await op();
  perBatch.push(Number(process.hrtime.bigint() - start) / batchSize);
}
console.log(JSON.stringify({ scenario, nsPerOp: median(perBatch), batches: perBatch }));
process.exit(0);
