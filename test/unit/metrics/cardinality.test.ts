import { SpanStatusCode } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { createCardinalityGuard, OVERFLOW_ATTRIBUTES } from '../../../src/metrics/cardinality.js';
import { METRICS } from '../../../src/metrics/catalog.js';
import { SpanMetricsProcessor } from '../../../src/processors/span-metrics.js';
import { parseExposition, seriesCount, total, type Sample } from '../../helpers/exposition.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const FAMILIES = Object.values(METRICS).map((m) => (m.kind === 'counter' ? `${m.prometheus}_total` : m.prometheus));

function families(samples: Sample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const family of FAMILIES) {
    const base = family.endsWith('_total') ? family.slice(0, -'_total'.length) : family;
    const n = seriesCount(samples, base);
    if (n > 0) counts.set(family, n);
  }
  return counts;
}

/** Series per metric straight from a collection (no text round trip: fast enough to do often). */
async function seriesPerMetric(reader: ReturnType<typeof createPrometheusMeterProvider>['reader']): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const scope of (await reader.collect()).resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) counts.set(metric.descriptor.name, metric.dataPoints.length);
  }
  return counts;
}

async function run(limit: number | undefined, spans: number, scrapeEvery: number) {
  const before = heapUsed();
  const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider(limit === undefined ? {} : { cardinalityLimit: limit });
  const provider = new TracerProvider({ spanProcessors: [new SpanMetricsProcessor({ store: spanMetrics })] });
  const tracer = provider.getTracer('cardinality');
  const types = ['ai.request', 'agent.invocation', 'memory.operation', 'agent.communication', 'tool.execution'] as const;
  let maxSeen = 0;
  const started = performance.now();
  try {
    for (let i = 0; i < spans; i++) {
      const agent = `agent-${i}`;
      const span = tracer.startSpan(`op ${i}`, {
        attributes: {
          'agent.span.type': types[i % types.length]!,
          'gen_ai.agent.name': agent,
          'gen_ai.request.model': `model-${i}`,
          'gen_ai.tool.name': `tool-${i}`,
          'agent.memory.store': `store-${i}`,
          'agent.memory.result_count': i % 3,
          'agent.communication.source': agent,
          'agent.communication.target': `peer-${i}`,
          'gen_ai.usage.input_tokens': 1,
          'gen_ai.usage.output_tokens': 2,
        },
      });
      if (i % 10 === 0) {
        span.setAttribute('error.type', `Error${i}`);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      // Scrape during the run: the SDK limit alone only holds per collection (see src/metrics/cardinality.ts).
      if ((i + 1) % scrapeEvery === 0) {
        for (const n of (await seriesPerMetric(reader)).values()) maxSeen = Math.max(maxSeen, n);
      }
    }
    const elapsedMs = performance.now() - started;
    const growthMb = (heapUsed() - before) / 1024 / 1024; // providers alive: this is the retained metric state
    const samples = parseExposition(new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics));
    return { samples, counts: families(samples), maxSeen, growthMb, elapsedMs };
  } finally {
    await provider.shutdown();
    await meterProvider.shutdown();
  }
}

describe('cardinality', () => {
  it('100,000 distinct agent names: every metric stays within the limit (overflow included), nothing is lost, memory bounded', async () => {
    const { samples, counts, maxSeen, growthMb, elapsedMs } = await run(undefined, 100_000, 10_000);
    console.log(
      `[cardinality] default limit 2000: series per metric ${JSON.stringify(Object.fromEntries(counts))}; ` +
        `max during run ${maxSeen}; heap growth ${growthMb.toFixed(1)} MB; 100k spans + 10 collections in ${Math.round(elapsedMs)} ms`,
    );

    expect(counts.size).toBeGreaterThanOrEqual(7);
    for (const [family, n] of counts) expect(n, family).toBeLessThanOrEqual(2000 + 1);
    expect(maxSeen).toBeLessThanOrEqual(2000 + 1);
    // The overflow series exists and holds the rest: counts are exact in total.
    expect(total(samples, 'agent_invocation_duration_seconds_count', { otel_metric_overflow: 'true' })).toBeGreaterThan(0);
    expect(total(samples, 'agent_invocation_duration_seconds_count')).toBe(20_000);
    expect(total(samples, 'gen_ai_client_operation_duration_seconds_count')).toBe(20_000);
    expect(total(samples, 'gen_ai_client_token_usage_sum')).toBe(20_000 * 3);
    expect(total(samples, 'agent_errors_total')).toBe(10_000);
    // Generous bound: bounded series + bounded caches; unbounded growth would be hundreds of MB.
    expect(growthMb).toBeLessThan(100);
  });

  it('a small limit holds across many scrapes (the SDK limit alone is per collection)', async () => {
    const { counts } = await run(50, 5_000, 100);
    for (const [family, n] of counts) expect(n, family).toBeLessThanOrEqual(50);
    expect(counts.get('agent_errors_total')).toBe(50);
  });

  it('guard admits limit - 1 distinct sets and routes the rest to the overflow set', () => {
    const guard = createCardinalityGuard(3);
    expect(guard.process({ a: '1' })).toEqual({ a: '1' });
    expect(guard.process({ a: '2' })).toEqual({ a: '2' });
    expect(guard.process({ a: '3' })).toBe(OVERFLOW_ATTRIBUTES);
    expect(guard.process({ a: '1' })).toEqual({ a: '1' });
    expect(guard.process(OVERFLOW_ATTRIBUTES)).toBe(OVERFLOW_ATTRIBUTES);
    expect(guard.admitted).toBe(2);
    expect(guard.overflowed).toBe(1);
  });
});
