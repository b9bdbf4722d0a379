/**
 * The bridge's own health: what happened to the spans handed to each exporter and to Sentry events.
 *   agent_bridge_spans_total{outcome="exported"|"dropped"|"failed", exporter}
 *   agent_bridge_sentry_events_total{outcome="sent"|"dropped"|"filtered"}
 *   agent_bridge_scrub_failures_total{reason}: values filtered (or events dropped) because they could not be scrubbed
 *   agent_bridge_context_dropped_total{reason}: context values not copied and trace breadcrumbs forgotten (bounds)
 *   agent_bridge_instrumentation_drops_total{instrumentation, reason}: state an instrumentation forgot to stay bounded
 * Fed from real outcomes only (CountingSpanExporter, CountingBatchSpanProcessor, the Sentry hooks). Counts
 * recorded before `bindSelfMetrics` (start-up ordering) are kept and reported once bound, so none are lost.
 * Never throws.
 */
import type { Attributes, BatchObservableResult, MeterProvider, ObservableCounter } from '@opentelemetry/api';
import { LABEL_EXPORTER, LABEL_INSTRUMENTATION, LABEL_OUTCOME, LABEL_REASON, METER_NAME, SELF_METRICS } from './metrics/catalog.js';
import { LabelNormalizer } from './metrics/normalize.js';
import { warnOnce } from './log.js';

export type SpanExportOutcome = 'exported' | 'dropped' | 'failed';
export type SentryEventOutcome = 'sent' | 'dropped' | 'filtered';
/** Why a value was filtered instead of scrubbed: a getter/proxy threw, a cycle, nesting deeper than the limit, a
 * text longer than the scan bound (cut), a value of a type the scrubber cannot read, an event dropped whole. */
export type ScrubFailureReason = 'error' | 'cycle' | 'depth' | 'truncated' | 'unsupported' | 'event_dropped';
/** Unsampled spans held for an error in their trace: `kept` (exported because it failed), `expired` (its trace
 * ended here, or it was held long enough, without an error: the usual fate), `evicted` (pushed out by the byte bound before its time: a small buffer). */
export type ErrorTraceOutcome = 'kept' | 'expired' | 'evicted';
/** What of the event context was not kept: a context value too long to be an id (src/processors/context-attributes.ts),
 * breadcrumbs beyond a trace's bound, breadcrumbs of traces forgotten to keep the trace-count or byte bound
 * (src/context/trace-breadcrumbs.ts). */
export type ContextDropReason = 'value_too_long' | 'breadcrumbs_per_trace' | 'breadcrumbs_evicted';
/**
 * Why an instrumentation dropped state: `evicted` — an entry (a span that never ended) pushed out by the bound;
 * `overflow` — a measurement made before the metrics SDK was up, beyond what is kept for it
 * (src/metrics/deferred-meter-provider.ts, instrumentation `metrics`).
 */
export type InstrumentationDropReason = 'evicted' | 'overflow';

/** What counting exporters/processors call; injectable for tests. */
export type SpanOutcomeRecorder = (outcome: SpanExportOutcome, exporter: string, count: number) => void;

/** Label sets kept (outcomes × exporter names); beyond this, counts are dropped with one warning. */
const MAX_SERIES = 256;

type TotalKind = keyof typeof SELF_METRICS;

interface Total {
  readonly kind: TotalKind;
  readonly attrs: Attributes;
  count: number;
}

/**
 * Counting is a plain addition into `totals` and the SDK reads them through observable counters at collection
 * time. Why not a synchronous Counter: a full queue drops (and counts) every further span, so the count sits on
 * the span path exactly when the host is overloaded — and each Counter.add hashes its attribute set (it was
 * ~14 % of a span's cost under a full queue in `npm run bench`).
 */
class SelfMetrics {
  private boundTo: MeterProvider | undefined;
  private detach: (() => void) | undefined;
  /** Counts since the last unbind (before the first bind: since start-up), by label set. */
  private readonly totals = new Map<string, Total>();
  /** The same span totals by raw outcome → raw exporter name: the per-span path finds its total without a key. */
  private readonly spanTotals = new Map<string, Map<string, Total>>();
  /** The context-drop totals by reason (a closed set of three). */
  private readonly contextTotals = new Map<ContextDropReason, Total>();
  private readonly exporterNames = new LabelNormalizer({ maxEntries: 64, maxLength: 32 });

  bind(meterProvider: MeterProvider): void {
    try {
      this.detach?.();
      const meter = meterProvider.getMeter(METER_NAME);
      const instruments = Object.fromEntries(
        Object.entries(SELF_METRICS).map(([kind, spec]) => [kind, meter.createObservableCounter(spec.instrument, { unit: spec.unit, description: spec.description })]),
      ) as Record<TotalKind, ObservableCounter>;
      const observables = Object.values(instruments);
      const observe = (result: BatchObservableResult): void => {
        for (const t of this.totals.values()) result.observe(instruments[t.kind], t.count, t.attrs);
      };
      meter.addBatchObservableCallback(observe, observables);
      this.boundTo = meterProvider;
      this.detach = () => meter.removeBatchObservableCallback(observe, observables);
    } catch (err) {
      warnOnce('self-metrics-bind', `self metrics unavailable: ${String(err)}`);
    }
  }

  /** Detach (tests, shutdown): what the provider reported stays with it; later counts wait for the next bind. */
  unbind(meterProvider?: MeterProvider): void {
    if (meterProvider !== undefined && meterProvider !== this.boundTo) return;
    if (this.boundTo !== undefined) {
      this.totals.clear();
      this.spanTotals.clear();
      this.contextTotals.clear();
    }
    this.detach?.();
    this.detach = undefined;
    this.boundTo = undefined;
  }

  recordSpans(outcome: SpanExportOutcome, exporter: string, count: number): void {
    if (!(count > 0)) return;
    // A full queue counts every further span here: two Map lookups by strings the callers reuse, no key built.
    let byExporter = this.spanTotals.get(outcome);
    if (byExporter === undefined) this.spanTotals.set(outcome, (byExporter = new Map()));
    const total = byExporter.get(exporter);
    if (total !== undefined) {
      total.count += count;
      return;
    }
    const name = this.exporterNames.normalize(exporter) ?? 'unknown';
    const created = this.add('spans', `s\u0000${outcome}\u0000${name}`, () => ({ [LABEL_OUTCOME]: outcome, [LABEL_EXPORTER]: name }), count);
    if (created !== undefined && byExporter.size < MAX_SERIES) byExporter.set(exporter, created);
  }

  recordSentry(outcome: SentryEventOutcome, count: number): void {
    if (!(count > 0)) return;
    this.add('sentry', `e\u0000${outcome}`, () => ({ [LABEL_OUTCOME]: outcome }), count);
  }

  recordScrub(reason: ScrubFailureReason): void {
    this.add('scrub', `f\u0000${reason}`, () => ({ [LABEL_REASON]: reason }), 1);
  }

  recordErrorTraces(outcome: ErrorTraceOutcome, count: number): void {
    if (!(count > 0)) return;
    this.add('errorTraces', `k\u0000${outcome}`, () => ({ [LABEL_OUTCOME]: outcome }), count);
  }

  recordContext(reason: ContextDropReason, count: number): void {
    if (!(count > 0)) return;
    // Once the breadcrumb memory is full, every new trace forgets an old one: one lookup by the reason, no key built.
    const total = this.contextTotals.get(reason);
    if (total !== undefined) {
      total.count += count;
      return;
    }
    const created = this.add('context', `c\u0000${reason}`, () => ({ [LABEL_REASON]: reason }), count);
    if (created !== undefined) this.contextTotals.set(reason, created);
  }

  recordDrop(instrumentation: string, reason: InstrumentationDropReason): void {
    this.add('drops', `d\u0000${instrumentation}\u0000${reason}`, () => ({ [LABEL_INSTRUMENTATION]: instrumentation, [LABEL_REASON]: reason }), 1);
  }

  /** Add `count` to the label set's total (created on first use); the total, unless the series bound is hit. */
  private add(kind: TotalKind, key: string, make: () => Attributes, count: number): Total | undefined {
    const t = this.totals.get(key);
    if (t !== undefined) {
      t.count += count;
      return t;
    }
    if (this.totals.size >= MAX_SERIES) {
      warnOnce('self-metrics-series', `self metrics: more than ${MAX_SERIES} label sets; further ones are not counted`);
      return undefined;
    }
    const created: Total = { kind, attrs: Object.freeze(make()), count };
    this.totals.set(key, created);
    return created;
  }
}

const selfMetrics = new SelfMetrics();

/** Point the self metrics at a meter provider (the Prometheus one); counts recorded before are reported too. */
export function bindSelfMetrics(meterProvider: MeterProvider): void {
  selfMetrics.bind(meterProvider);
}

/**
 * Stop reporting to the bound provider (before its shutdown); later counts are kept until the next bind.
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

/** Count one value filtered (or event dropped) because it could not be scrubbed (src/scrub/failures.ts). */
export function recordScrubFailure(reason: ScrubFailureReason): void {
  selfMetrics.recordScrub(reason);
}

/** Count unsampled spans held for an error in their trace, by what became of them (src/processors/error-traces.ts). */
export function recordErrorTraceSpans(outcome: ErrorTraceOutcome, count = 1): void {
  selfMetrics.recordErrorTraces(outcome, count);
}

/** Count context values or trace breadcrumbs not kept (agent_bridge_context_dropped_total{reason}). */
export function recordContextDrop(reason: ContextDropReason, count = 1): void {
  selfMetrics.recordContext(reason, count);
}

/** Count one entry an instrumentation dropped to stay bounded (`instrumentation`: a fixed, code-chosen name). */
export function recordInstrumentationDrop(instrumentation: string, reason: InstrumentationDropReason): void {
  selfMetrics.recordDrop(instrumentation, reason);
}
