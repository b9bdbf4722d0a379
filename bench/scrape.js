// BENCH_SERIES exposition series (sample lines: every histogram bucket, _sum and _count is one series to
// Prometheus), made of distinct models through ai.requests; then BENCH_SCRAPES sequential scrapes of /metrics.
import { percentile, startBridgeWith } from './lib.js';
import { fileURLToPath } from 'node:url';

const series = Number(process.env.BENCH_SERIES);
const scrapes = Number(process.env.BENCH_SCRAPES ?? 20);
const bridge = await startBridgeWith({ SENTRY_DSN: '', AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT: String(series) });
const { aiRequest } = await import(fileURLToPath(new URL('../dist/src/agent/index.js', import.meta.url)));
const samples = async () => (await (await fetch(bridge.metricsUrl)).text()).split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
const model = (i) => aiRequest({ provider: 'openai', model: `model-${i}` }, async () => ({ usage: { input_tokens: 1, output_tokens: 1 } }));
// Models until the exposition holds `series` lines: the lines a model adds are counted, not assumed — the rest of
// the exposition (runtime metrics, the bench's own scrape requests as HTTP client metrics) changes with the bridge.
let models = 0;
while ((await samples()) < series) {
  for (let i = 0; i < 5; i++) await model(models++);
}
// Prometheus scrapes a target forever, so the steady state matters: 3 unmeasured scrapes at full size first
// (JIT warm-up). Inside the loop only the request and the body are timed and nothing else allocates, so the
// garbage of the bench's own line counting is not collected during a measured scrape.
const scrape = async () => (await fetch(bridge.metricsUrl)).text();
for (let i = 0; i < 3; i++) await scrape();
const latencies = [];
let text = '';
for (let i = 0; i < scrapes; i++) {
  const start = performance.now();
  text = await scrape();
  latencies.push(performance.now() - start);
}
const bytes = text.length;
const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
console.log(JSON.stringify({ series, measuredSeries: lines, models, bytes, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) }));
await bridge.shutdown();
process.exit(0);
