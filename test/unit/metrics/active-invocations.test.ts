/**
 * agent_active_invocations: exact under trace sampling, retired after the maximum age, bounded.
 * Real SDK (TracerProvider + the bridge's sampler), real agent helpers registered globally, real Prometheus
 * endpoint over loopback HTTP; invocation ages run on a clock the test moves, so nothing waits on time.
 */
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrometheusExporter } from '../../../exporters/prometheus.js';
import { invokeAgent } from '../../../src/agent/index.js';
import { SpanMetricsProcessor, type SpanMetricsProcessorOptions } from '../../../src/processors/span-metrics.js';
import { get, parseExposition, total } from '../../helpers/exposition.js';
import { startSpanPath } from './span-path.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function bridgeLike(rate: number, options: Omit<SpanMetricsProcessorOptions, 'store'> = {}) {
  const path = await startSpanPath(rate, options);
  cleanups.push(() => path.close());
  return path;
}

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const ACTIVE = 'agent_active_invocations';

describe('agent_active_invocations', () => {
  it('shows exactly the N invocations running across two agents at trace sampling 0.1, and 0 once they end', async () => {
    const { scrape, exported } = await bridgeLike(0.1);
    const N = 300;
    const release = gate();
    const started: Array<Promise<string>> = [];
    let running = 0;
    const allRunning = gate();
    for (let i = 0; i < N; i++) {
      const name = i % 3 === 0 ? 'Researcher' : 'planner';
      started.push(
        invokeAgent({ name }, async () => {
          if (++running === N) allRunning.open();
          await release.opened;
          return 'done';
        }),
      );
    }
    await allRunning.opened;

    const during = await scrape();
    expect(total(during, ACTIVE)).toBe(N);
    expect(total(during, ACTIVE, { gen_ai_agent_name: 'planner' })).toBe(200);
    expect(total(during, ACTIVE, { gen_ai_agent_name: 'researcher' })).toBe(100);

    release.open();
    await Promise.all(started);
    const after = await scrape();
    expect(total(after, ACTIVE)).toBe(0);
    expect(total(after, 'agent_invocation_duration_seconds_count')).toBe(N);
    expect(total(after, 'agent_invocations_abandoned_total')).toBe(0);
    // Sampling was really on: about a tenth of the invocations were exported, yet the gauge counted all.
    expect(exported().length).toBeGreaterThan(5);
    expect(exported().length).toBeLessThan(N / 2);
  });

  it('retires an invocation that never ends after the maximum age, counts it as abandoned, and ignores its late end', async () => {
    let now = 0;
    const { scrape, tracer } = await bridgeLike(1, { invocationMaxAgeMs: 60_000, now: () => now });
    const attributes = { 'agent.span.type': 'agent.invocation', 'gen_ai.agent.name': 'stuck' };
    const hung = tracer.startSpan('invoke_agent stuck', { attributes });
    now = 30_000;
    const fine = tracer.startSpan('invoke_agent stuck', { attributes });

    now = 59_999;
    expect(total(await scrape(), ACTIVE, { gen_ai_agent_name: 'stuck' })).toBe(2);
    now = 60_000; // the first one reaches the maximum age; the scrape itself retires it
    const s = await scrape();
    expect(total(s, ACTIVE, { gen_ai_agent_name: 'stuck' })).toBe(1);
    expect(total(s, 'agent_invocations_abandoned_total', { gen_ai_agent_name: 'stuck' })).toBe(1);

    fine.end();
    hung.end(); // ends after all: already retired, so the gauge does not go below zero
    const after = await scrape();
    expect(total(after, ACTIVE)).toBe(0);
    expect(total(after, 'agent_invocations_abandoned_total')).toBe(1);
    expect(total(after, 'agent_invocation_duration_seconds_count')).toBe(2);
  });

  it('tracks at most maxInFlightInvocations at once and counts the rest as untracked', async () => {
    const { scrape, tracer } = await bridgeLike(1, { maxInFlightInvocations: 3 });
    expect(total(await scrape(), 'agent_bridge_untracked_invocations_total')).toBe(0); // present before any overflow
    const spans = Array.from({ length: 5 }, () => tracer.startSpan('invoke_agent a', { attributes: { 'agent.span.type': 'agent.invocation', 'gen_ai.agent.name': 'a' } }));
    const during = await scrape();
    expect(total(during, ACTIVE)).toBe(3);
    expect(total(during, 'agent_bridge_untracked_invocations_total')).toBe(2);
    for (const span of spans) span.end();
    expect(total(await scrape(), ACTIVE)).toBe(0);
  });

  it('tells two in-flight invocations with the same span id apart by trace id: the second is untracked, its end leaves the first counted', async () => {
    const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false });
    cleanups.push(() => endpoint.close());
    let trace = 0;
    const idGenerator = { generateTraceId: () => (++trace).toString(16).padStart(32, '0'), generateSpanId: () => '00000000000000aa' };
    const provider = new TracerProvider({ idGenerator, spanProcessors: [new SpanMetricsProcessor({ store: endpoint.spanMetrics })] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('test');
    const attributes = { 'agent.span.type': 'agent.invocation', 'gen_ai.agent.name': 'a' };
    const first = tracer.startSpan('invoke_agent a', { attributes });
    const second = tracer.startSpan('invoke_agent a', { attributes });
    expect(first.spanContext().spanId).toBe(second.spanContext().spanId);
    expect(first.spanContext().traceId).not.toBe(second.spanContext().traceId);
    const scrape = async () => parseExposition((await get(endpoint.url!)).body);
    const during = await scrape();
    expect(total(during, ACTIVE)).toBe(1);
    expect(total(during, 'agent_bridge_untracked_invocations_total')).toBe(1);
    second.end(); // not the tracked one: the gauge keeps the first
    expect(total(await scrape(), ACTIVE)).toBe(1);
    first.end();
    expect(total(await scrape(), ACTIVE)).toBe(0);
  });

  it('keeps one series per agent up to the cardinality limit, the rest in the overflow series', async () => {
    const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false, cardinalityLimit: 4 });
    cleanups.push(() => endpoint.close());
    const provider = new TracerProvider({ spanProcessors: [new SpanMetricsProcessor({ store: endpoint.spanMetrics })] });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('test');
    for (let i = 0; i < 10; i++) tracer.startSpan('invoke_agent', { attributes: { 'agent.span.type': 'agent.invocation', 'gen_ai.agent.name': `agent-${i}` } });
    const s = parseExposition((await get(endpoint.url!)).body);
    expect(total(s, ACTIVE)).toBe(10);
    expect(s.filter((x) => x.name === ACTIVE).length).toBe(4);
    expect(total(s, ACTIVE, { otel_metric_overflow: 'true' })).toBe(7);
  });
});
