// Shared bits of the bench children: setup of each tracing stack, the measured operation, small stats.
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

export async function startBridgeWith(extra) {
  const { startBridge } = await import(dist('src/index.js'));
  return startBridge({ env: bridgeEnv(extra), handleSignals: false });
}

export async function setupBareOtel() {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BatchSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const noop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noop })] }));
}

export async function setupSentryTracer(traceLifecycle) {
  const Sentry = await import('@sentry/node');
  Sentry.init({ dsn: process.env.BENCH_DSN, tracesSampleRate: 1, enableOpenTelemetrySetup: true, traceLifecycle });
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
    await sleep(5);
  }
  return { ended, elapsed: (performance.now() - started) / 1000 };
}

/** The bridge's own span outcomes (`agent_bridge_spans_total`) from its /metrics. */
export async function spanOutcomes(metricsUrl) {
  const exposition = await (await fetch(metricsUrl)).text();
  const outcome = (name) => metricSum(exposition, 'agent_bridge_spans_total', { outcome: name });
  return { exported: outcome('exported'), dropped: outcome('dropped'), failed: outcome('failed') };
}
