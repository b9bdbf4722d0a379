/**
 * Wraps any SpanExporter and counts what really happened to each batch, from the ExportResult the exporter
 * reports: SUCCESS → `exported`, anything else (or a synchronous throw) → `failed`
 * (agent_bridge_spans_total{outcome, exporter}). The wrapped exporter's behaviour is unchanged, except that a
 * synchronous throw becomes a FAILED result instead of an exception inside the batch processor.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { recordSpanOutcome, type SpanOutcomeRecorder } from '../self-metrics.js';
import type { ExportObserver } from './export-health.js';

export interface CountingSpanExporterOptions {
  /** `exporter` label value, e.g. `sentry`, `otlp`. */
  name: string;
  /** Where outcomes go; defaults to the bridge self metrics. */
  record?: SpanOutcomeRecorder;
  /** Told when each export starts and how it settled (the bridge's readiness, ./export-health.ts). */
  observer?: ExportObserver;
}

export class CountingSpanExporter implements SpanExporter {
  readonly name: string;
  private readonly record: SpanOutcomeRecorder;
  private readonly observer: ExportObserver | undefined;

  constructor(
    private readonly inner: SpanExporter,
    options: CountingSpanExporterOptions | string,
  ) {
    const opts = typeof options === 'string' ? { name: options } : options;
    this.name = opts.name;
    this.record = opts.record ?? recordSpanOutcome;
    this.observer = opts.observer;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const count = spans.length;
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return; // a misbehaving exporter calling back twice must not double count
      settled = true;
      const ok = result.code === ExportResultCode.SUCCESS;
      try {
        this.record(ok ? 'exported' : 'failed', this.name, count);
        this.observer?.exportSettled(this.name, ok);
      } catch {
        // counting never breaks the export path
      }
      resultCallback(result);
    };
    try {
      this.observer?.exportStarted(this.name);
    } catch {
      // observing never breaks the export path
    }
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
