/**
 * The bridge's own health: what happened to the spans handed to each exporter and to Sentry events.
 *   agent_bridge_spans_total{outcome="exported"|"dropped"|"failed", exporter}
 *   agent_bridge_sentry_events_total{outcome="sent"|"dropped"|"filtered"}
 * Fed from real outcomes only (CountingSpanExporter, CountingBatchSpanProcessor, the Sentry hooks). Counts
 * recorded before `bindSelfMetrics` (start-up ordering) are kept in a small buffer and replayed on bind, so none
 * are lost. Never throws.
 */
import type { Attributes, Counter, MeterProvider } from '@opentelemetry/api';
import { LABEL_EXPORTER, LABEL_OUTCOME, METER_NAME, METRICS } from './metrics/catalog.js';
import { LabelNormalizer } from './metrics/normalize.js';
import { warnOnce } from './log.js';

export type SpanExportOutcome = 'exported' | 'dropped' | 'failed';
export type SentryEventOutcome = 'sent' | 'dropped' | 'filtered';

/** What counting exporters/processors call; injectable for tests. */
export type SpanOutcomeRecorder = (outcome: SpanExportOutcome, exporter: string, count: number) => void;

const MAX_PENDING = 64;

class SelfMetrics {
  private spans: Counter | undefined;
  private sentry: Counter | undefined;
  private boundTo: MeterProvider | undefined;
  /** Shared, frozen attribute objects per label set (the SDK keeps the first object it sees as the key). */
  private readonly attrs = new Map<string, Attributes>();
  private readonly pending = new Map<string, { kind: 'spans' | 'sentry'; attrs: Attributes; count: number }>();
  private readonly exporterNames = new LabelNormalizer({ maxEntries: 64, maxLength: 32 });

  bind(meterProvider: MeterProvider): void {
    try {
      const meter = meterProvider.getMeter(METER_NAME);
      this.boundTo = meterProvider;
      this.spans = meter.createCounter(METRICS.bridgeSpans.instrument, { unit: METRICS.bridgeSpans.unit, description: METRICS.bridgeSpans.description });
      this.sentry = meter.createCounter(METRICS.bridgeSentryEvents.instrument, { unit: METRICS.bridgeSentryEvents.unit, description: METRICS.bridgeSentryEvents.description });
      for (const p of this.pending.values()) (p.kind === 'spans' ? this.spans : this.sentry).add(p.count, p.attrs);
      this.pending.clear();
    } catch (err) {
      warnOnce('self-metrics-bind', `self metrics unavailable: ${String(err)}`);
    }
  }

  /** Detach (tests, shutdown): later counts are buffered again. With a provider: only if bound to that one. */
  unbind(meterProvider?: MeterProvider): void {
    if (meterProvider !== undefined && meterProvider !== this.boundTo) return;
    this.boundTo = undefined;
    this.spans = undefined;
    this.sentry = undefined;
  }

  recordSpans(outcome: SpanExportOutcome, exporter: string, count: number): void {
    if (!(count > 0)) return;
    const name = this.exporterNames.normalize(exporter) ?? 'unknown';
    this.add('spans', `s\u0000${outcome}\u0000${name}`, () => ({ [LABEL_OUTCOME]: outcome, [LABEL_EXPORTER]: name }), count);
  }

  recordSentry(outcome: SentryEventOutcome, count: number): void {
    if (!(count > 0)) return;
    this.add('sentry', `e\u0000${outcome}`, () => ({ [LABEL_OUTCOME]: outcome }), count);
  }

  private add(kind: 'spans' | 'sentry', key: string, make: () => Attributes, count: number): void {
    try {
      let attrs = this.attrs.get(key);
      if (attrs === undefined) {
        attrs = Object.freeze(make());
        if (this.attrs.size < MAX_PENDING * 4) this.attrs.set(key, attrs);
      }
      const counter = kind === 'spans' ? this.spans : this.sentry;
      if (counter !== undefined) {
        counter.add(count, attrs);
        return;
      }
      const p = this.pending.get(key);
      if (p !== undefined) p.count += count;
      else if (this.pending.size < MAX_PENDING) this.pending.set(key, { kind, attrs, count });
    } catch (err) {
      warnOnce('self-metrics-record', `self metric not recorded: ${String(err)}`);
    }
  }
}

const selfMetrics = new SelfMetrics();

/** Point the self metrics at a meter provider (the Prometheus one); replays counts recorded before. */
export function bindSelfMetrics(meterProvider: MeterProvider): void {
  selfMetrics.bind(meterProvider);
}

/**
 * Stop recording into the bound provider (before its shutdown); later counts are buffered until the next bind.
 * With `meterProvider`, only when the self metrics are bound to that provider.
 */
export function unbindSelfMetrics(meterProvider?: MeterProvider): void {
  selfMetrics.unbind(meterProvider);
}

/** Count spans with an export outcome for the named exporter (`sentry`, `otlp`, …). */
export const recordSpanOutcome: SpanOutcomeRecorder = (outcome, exporter, count = 1) => {
  selfMetrics.recordSpans(outcome, exporter, count);
};

/** Count Sentry events: `sent` (transport accepted), `dropped` (transport failure, rate limit, queue), `filtered` (beforeSend / sampling). */
export function recordSentryEvent(outcome: SentryEventOutcome, count = 1): void {
  selfMetrics.recordSentry(outcome, count);
}
