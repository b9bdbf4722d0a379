import { TraceFlags } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AlwaysOnSampler, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { CountingSpanExporter } from '../../../src/processors/counting-exporter.js';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { CountingBatchSpanProcessor } from '../../../src/processors/counting-batch.js';
import { bindSelfMetrics, recordSentryEvent, recordSpanOutcome, unbindSelfMetrics, type SpanExportOutcome } from '../../../src/self-metrics.js';
import { parseExposition, total } from '../../helpers/exposition.js';

/** An exporter that holds every batch until released, then answers with `code`. */
class GatedExporter implements SpanExporter {
  received = 0;
  private held: Array<() => void> = [];
  private open = false;
  constructor(private code: ExportResultCode = ExportResultCode.SUCCESS) {}
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    this.received += spans.length;
    const answer = () => cb(this.code === ExportResultCode.SUCCESS ? { code: this.code } : { code: this.code, error: new Error('down') });
    if (this.open) answer();
    else this.held.push(answer);
  }
  release(): void {
    this.open = true;
    for (const answer of this.held.splice(0)) answer();
  }
  shutdown(): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}

function tally() {
  const counts: Record<SpanExportOutcome, number> = { exported: 0, dropped: 0, failed: 0 };
  const names = new Set<string>();
  return {
    counts,
    names,
    record: (outcome: SpanExportOutcome, exporter: string, n: number) => {
      counts[outcome] += n;
      names.add(exporter);
    },
  };
}

function tracerWith(processor: CountingBatchSpanProcessor) {
  const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] });
  return { provider, tracer: provider.getTracer('t') };
}

describe('CountingSpanExporter', () => {
  it('counts exported / failed from the ExportResult, a throw as failed, a double callback once', () => {
    const t = tally();
    const results: ExportResultCode[] = [];
    const ok = new CountingSpanExporter({ export: (_s, cb) => cb({ code: ExportResultCode.SUCCESS }), shutdown: async () => {} }, { name: 'otlp', record: t.record });
    const failing = new CountingSpanExporter({ export: (_s, cb) => cb({ code: ExportResultCode.FAILED }), shutdown: async () => {} }, { name: 'otlp', record: t.record });
    const throwing = new CountingSpanExporter({ export: () => { throw new Error('sync'); }, shutdown: async () => {} }, { name: 'otlp', record: t.record });
    const twice = new CountingSpanExporter(
      { export: (_s, cb) => { cb({ code: ExportResultCode.SUCCESS }); cb({ code: ExportResultCode.SUCCESS }); }, shutdown: async () => {} },
      { name: 'otlp', record: t.record },
    );
    const spans = (n: number) => new Array(n).fill({}) as ReadableSpan[];
    ok.export(spans(3), (r) => results.push(r.code));
    failing.export(spans(2), (r) => results.push(r.code));
    throwing.export(spans(4), (r) => results.push(r.code));
    twice.export(spans(1), (r) => results.push(r.code));
    expect(t.counts).toEqual({ exported: 4, dropped: 0, failed: 6 });
    expect(results).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.SUCCESS]);
    expect([...t.names]).toEqual(['otlp']);
  });
});

describe('CountingBatchSpanProcessor', () => {
  it('dropped equals the spans that never reached the exporter (queue full), exported the rest', async () => {
    const t = tally();
    const exporter = new GatedExporter();
    const processor = new CountingBatchSpanProcessor({ exporter, name: 'sentry', record: t.record, maxQueueSize: 10, maxExportBatchSize: 5, scheduledDelayMillis: 60_000 });
    const { provider, tracer } = tracerWith(processor);
    const ended = 137;
    for (let i = 0; i < ended; i++) tracer.startSpan(`s${i}`).end();
    exporter.release();
    await provider.forceFlush();
    expect(t.counts.dropped).toBeGreaterThan(0);
    expect(t.counts.dropped).toBe(ended - exporter.received);
    expect(t.counts.exported).toBe(exporter.received);
    expect(t.counts.exported + t.counts.dropped + t.counts.failed).toBe(ended);
    await provider.shutdown();
  });

  it('counts failed batches and sampled spans ended after shutdown; unsampled spans are not export candidates', async () => {
    const t = tally();
    const exporter = new GatedExporter(ExportResultCode.FAILED);
    exporter.release();
    const processor = new CountingBatchSpanProcessor({ exporter, name: 'otlp', record: t.record, scheduledDelayMillis: 60_000 });
    const { provider, tracer } = tracerWith(processor);
    for (let i = 0; i < 7; i++) tracer.startSpan('x').end();
    await provider.forceFlush().catch(() => undefined);
    expect(t.counts.failed).toBe(7);
    const late = tracer.startSpan('late');
    await processor.shutdown();
    late.end(); // the SDK still delivers onEnd to the processor
    const unsampled = { spanContext: () => ({ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceFlags: TraceFlags.NONE }) } as ReadableSpan;
    processor.onEnd(unsampled);
    expect(t.counts.dropped).toBe(1);
    await provider.shutdown();
  });
});

describe('self metrics', () => {
  it('agent_bridge_spans_total / agent_bridge_sentry_events_total appear with their labels; counts before bind are replayed', async () => {
    unbindSelfMetrics();
    recordSentryEvent('filtered', 2); // before bind
    recordSpanOutcome('dropped', 'Sentry', 4);
    const { meterProvider, reader } = createPrometheusMeterProvider();
    bindSelfMetrics(meterProvider);
    recordSentryEvent('sent');
    recordSentryEvent('dropped', 3);
    recordSpanOutcome('exported', 'sentry', 10);
    recordSpanOutcome('failed', 'otlp', 1);
    recordSentryEvent('sent', 0); // ignored
    const s = parseExposition(new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics));
    expect(total(s, 'agent_bridge_sentry_events_total', { outcome: 'filtered' })).toBe(2);
    expect(total(s, 'agent_bridge_sentry_events_total', { outcome: 'sent' })).toBe(1);
    expect(total(s, 'agent_bridge_sentry_events_total', { outcome: 'dropped' })).toBe(3);
    expect(total(s, 'agent_bridge_spans_total', { outcome: 'dropped', exporter: 'sentry' })).toBe(4);
    expect(total(s, 'agent_bridge_spans_total', { outcome: 'exported', exporter: 'sentry' })).toBe(10);
    expect(total(s, 'agent_bridge_spans_total', { outcome: 'failed', exporter: 'otlp' })).toBe(1);
    unbindSelfMetrics();
    await meterProvider.shutdown();
  });

  it('CountingBatchSpanProcessor feeds agent_bridge_spans_total{outcome="dropped"} with the real drop count', async () => {
    const { meterProvider, reader } = createPrometheusMeterProvider();
    bindSelfMetrics(meterProvider);
    const exporter = new GatedExporter();
    const processor = new CountingBatchSpanProcessor({ exporter, name: 'sentry', maxQueueSize: 8, maxExportBatchSize: 4, scheduledDelayMillis: 60_000 });
    const { provider, tracer } = tracerWith(processor);
    for (let i = 0; i < 50; i++) tracer.startSpan('s').end();
    exporter.release();
    await provider.forceFlush();
    const s = parseExposition(new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics));
    expect(total(s, 'agent_bridge_spans_total', { outcome: 'dropped', exporter: 'sentry' })).toBe(50 - exporter.received);
    expect(total(s, 'agent_bridge_spans_total', { outcome: 'exported', exporter: 'sentry' })).toBe(exporter.received);
    await provider.shutdown();
    unbindSelfMetrics();
    await meterProvider.shutdown();
  });
});
