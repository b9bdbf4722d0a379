/**
 * Readiness from what the export slots see: a stalled exporter (trying without success past the threshold) and a
 * full queue make the bridge unready; a success or the window passing makes it ready again. The clock is injected,
 * so no assertion depends on the machine's speed; the second test drives the real CountingBatchSpanProcessor.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AlwaysOnSampler, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ExportHealth } from '../../../src/processors/export-health.js';
import { CountingBatchSpanProcessor } from '../../../src/processors/counting-batch.js';

describe('ExportHealth', () => {
  it('unready once an exporter has tried without success for longer than the stall threshold; ready after a success', () => {
    let now = 1_000_000;
    const health = new ExportHealth({ exportStallMs: 5_000, queueFullMs: 10_000 }, () => now);
    expect(health.status()).toEqual({ ready: true, reasons: [] });
    health.exportStarted('sentry');
    now += 5_000;
    expect(health.status().ready).toBe(true); // at the threshold, not past it
    health.exportSettled('sentry', false);
    health.exportStarted('sentry'); // a retry does not restart the clock
    now += 1;
    expect(health.status()).toEqual({ ready: false, reasons: ['sentry: no successful export for 5 s'] });
    health.exportStarted('otlp');
    health.exportSettled('otlp', true);
    expect(health.status().reasons).toHaveLength(1); // the other exporter is fine
    health.exportSettled('sentry', true);
    expect(health.status().ready).toBe(true);
  });

  it('unready while a queue-full drop is recent', () => {
    let now = 0;
    const health = new ExportHealth({ exportStallMs: 5_000, queueFullMs: 10_000 }, () => now);
    health.queueFull('otlp');
    now = 10_000;
    expect(health.status()).toEqual({ ready: false, reasons: ['otlp: export queue full 10 s ago (spans dropped)'] });
    now = 10_001;
    expect(health.status().ready).toBe(true);
  });

  it('is fed by the real batch processor: export start, outcome and queue-full drops', async () => {
    const seen: string[] = [];
    const observer = {
      exportStarted: (name: string) => seen.push(`start ${name}`),
      exportSettled: (name: string, ok: boolean) => seen.push(`${ok ? 'ok' : 'failed'} ${name}`),
      queueFull: (name: string) => seen.push(`full ${name}`),
    };
    let answer: ExportResultCode = ExportResultCode.FAILED;
    const held: Array<(r: ExportResult) => void> = [];
    const exporter: SpanExporter = {
      export: (_spans: ReadableSpan[], cb) => (answer === ExportResultCode.SUCCESS ? cb({ code: answer }) : held.push(cb)),
      shutdown: () => Promise.resolve(),
    };
    const processor = new CountingBatchSpanProcessor({ exporter, name: 'sentry', maxQueueSize: 2, maxExportBatchSize: 2, scheduledDelayMillis: 60_000, observer, record: () => {} });
    const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 5; i++) tracer.startSpan(`s${i}`).end();
    expect(seen).toContain('start sentry');
    expect(seen).toContain('full sentry');
    for (const cb of held.splice(0)) cb({ code: ExportResultCode.FAILED, error: new Error('down') });
    expect(seen).toContain('failed sentry');
    answer = ExportResultCode.SUCCESS;
    tracer.startSpan('after').end();
    await processor.forceFlush();
    expect(seen.at(-1)).toBe('ok sentry');
    await provider.shutdown();
  });
});
