// Shared bits of the bench children: setup of each tracing stack, the measured operation, small stats.
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => `${ROOT}dist/${path}`;

/** The operation every scenario measures: one aiRequest with the usual attributes and token usage. */
export async function loadOperation() {
  const { aiRequest } = await import(dist('src/agent/index.js'));
  const result = { model: 'gpt-4o', usage: { input_tokens: 12, output_tokens: 34 }, finish_reason: 'stop' };
  return () => aiRequest({ provider: 'openai', model: 'gpt-4o', conversationId: 'c-1' }, async () => result);
}

/** Bridge environment as a user would set it, pointed at the orchestrator's ingest. */
export function bridgeEnv(extra = {}) {
  return {
    ...process.env,
    SENTRY_DSN: process.env.BENCH_DSN,
    SENTRY_ENVIRONMENT: 'bench',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    AGENT_BRIDGE_QUIET: 'true',
    ...extra,
  };
}

/**
 * The bridge's collector export (`OTEL_EXPORTER_OTLP_TRACES_*`) aimed at an OTLP endpoint `{ url, headers }`. The OTLP
 * exporter reads these variables from `process.env` itself, so they are set there too.
 */
export function collectorEnv(endpoint) {
  const headers = Object.entries(endpoint.headers).map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join(',');
  const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint.url, OTEL_EXPORTER_OTLP_TRACES_HEADERS: headers };
  Object.assign(process.env, env);
  return env;
}

export async function startBridgeWith(extra) {
  const { startBridge } = await import(dist('instrumentation/index.js'));
  const bridge = await startBridge({ env: bridgeEnv(extra), handleSignals: false });
  // A service starts, then takes traffic: the Sentry SDK (loaded in the background) is up before the first step.
  await bridge.ready();
  return bridge;
}

/**
 * Bare OpenTelemetry: TracerProvider + BatchSpanProcessor (defaults), AsyncLocalStorage, W3C propagator.
 * `exporter`: 'noop', 'stock' (exporter-trace-otlp-proto's OTLPTraceExporter) or 'ours' (the bridge's encoder on
 * the same export delegate), both to `otlp.url`; `ratio` adds a parent-based trace-id ratio sampler. `totals()`
 * counts what the SDK ended (sampled spans) and what the exporter reported exported or failed.
 */
export async function setupBareOtel({ exporter = 'noop', otlp = {}, ratio } = {}) {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const counts = { ended: 0, exported: 0, failed: 0 };
  const counting = countingExporter(await createExporter(exporter, otlp), counts);
  const endCounter = { onStart() {}, onEnd: () => void counts.ended++, forceFlush: async () => {}, shutdown: async () => {} };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({
    ...(ratio === undefined ? {} : { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }),
    spanProcessors: [endCounter, new BatchSpanProcessor({ exporter: counting })],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    forceFlush: () => provider.forceFlush(),
    totals: () => ({ ...counts, dropped: counts.ended - counts.exported - counts.failed }),
  };
}

/**
 * A bare NodeSDK as users preload it (./nodesdk.js), started in this process; its exporter counts what it exported.
 * It samples every span (NodeSDK's default sampler) and ends what the caller reports with `ended(n)`.
 */
export async function setupNodeSdk({ otlp }) {
  const { trace } = await import('@opentelemetry/api');
  const { startNodeSdk } = await import('./nodesdk.js');
  const counts = { ended: 0, exported: 0, failed: 0 };
  await startNodeSdk({ url: otlp.url, headers: otlp.headers, wrapExporter: (exporter) => countingExporter(exporter, counts) });
  return {
    ended: (n) => void (counts.ended += n),
    forceFlush: () => trace.getTracerProvider().getDelegate().forceFlush(),
    totals: () => ({ ...counts, dropped: counts.ended - counts.exported - counts.failed }),
  };
}

/** `inner`, counting into `counts` the spans it reports exported or failed. */
function countingExporter(inner, counts) {
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        counts[result.code === 0 ? 'exported' : 'failed'] += spans.length;
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.(),
  };
}

async function createExporter(kind, { url, headers }) {
  if (kind === 'noop') return { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
  if (kind === 'ours') return (await import(dist('exporters/otlp-proto-encoder-exporter.js'))).createOtlpProtoTraceExporter({ url, headers });
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url, headers });
}

/** @sentry/node's own tracer (it sets up OpenTelemetry itself), sending to the orchestrator's ingest. */
export async function setupSentryTracer(traceLifecycle) {
  const Sentry = await import('@sentry/node');
  Sentry.init({ dsn: process.env.BENCH_DSN, tracesSampleRate: 1, enableOpenTelemetrySetup: true, traceLifecycle });
  return Sentry;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export function metricSum(exposition, name, labels = {}) {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * End spans at `rate` per second for `seconds` (in 5 ms steps, so the event loop keeps running exports);
 * `onTick(elapsedMs)` runs each step. Returns how many spans were ended and the elapsed seconds.
 */
export async function emitAtRate(rate, seconds, makeSpan, onTick = () => {}) {
  const started = performance.now();
  let ended = 0;
  for (let t = 0; t < seconds * 1000; t = performance.now() - started) {
    const due = Math.floor((t / 1000) * rate);
    for (; ended < due; ended++) makeSpan().end();
    onTick(t);
    await sleep(Math.min(5, seconds * 1000 - t));
  }
  // The last interval's spans: the loop above stops at the first tick past the period, which has offered only what
  // was due at the tick before it (up to 5 ms short: 59,678/s "achieved" of 60,000 offered). `elapsed` ends with the
  // last span, so a stack that cannot keep up still shows a lower rate.
  for (const total = Math.floor(seconds * rate); ended < total; ended++) makeSpan().end();
  return { ended, elapsed: (performance.now() - started) / 1000 };
}

/** The bridge's own span outcomes (`agent_bridge_spans_total`) from its /metrics. */
export async function spanOutcomes(metricsUrl) {
  const exposition = await scrape(metricsUrl);
  const outcome = (name) => metricSum(exposition, 'agent_bridge_spans_total', { outcome: name });
  return { exported: outcome('exported'), dropped: outcome('dropped'), failed: outcome('failed') };
}

/**
 * The bridge's exposition, read as Prometheus would — over node:http, which the bridge's metrics server has loaded
 * anyway. Not with `fetch`: its first call loads undici's client (and its llhttp WebAssembly) into the stack's own
 * process, +0.4 MB of live heap no other stack pays and Prometheus, scraping from outside, never adds to a pod.
 */
function scrape(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** The bridge's accounting in the shape of `setupBareOtel().totals()`: every sampled, ended span has one outcome. */
export async function bridgeSpanTotals(metricsUrl) {
  const { exported, dropped, failed } = await spanOutcomes(metricsUrl);
  return { ended: exported + dropped + failed, exported, dropped, failed };
}

/**
 * The bridge's totals once they stop moving: its forceFlush can settle before every export has (a batch the
 * exporter refuses — "Concurrent export limit reached" — ends the batch processor's flush early).
 */
export async function settledTotals(read) {
  let last = await read();
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const next = await read();
    if (JSON.stringify(next) === JSON.stringify(last)) return next;
    last = next;
  }
  return last;
}
