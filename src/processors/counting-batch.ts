/**
 * The export slot of the pipeline (docs/architecture.md §1, processor 4): the SDK's BatchSpanProcessor, with every sampled
 * span that does not reach the exporter counted as `agent_bridge_spans_total{outcome="dropped"}`.
 *
 * How drops are counted (sdk-trace 3.1, BatchSpanProcessorBase):
 *  - queue full: `_addToBuffer` drops a span when `maxQueueSize` spans wait, and reports each drop through its
 *    self-observability meter (`otel.sdk.processor.span.processed` += 1 with `error.type="queue_full"`) — its
 *    own `diag` line only says "Dropped N spans" once the queue drains. We hand the BSP a meter provider that
 *    taps exactly that counter, so the count is the SDK's own, span for span (no occupancy guessing, which
 *    would be wrong while a batch waits for async resource attributes).
 *  - after shutdown: the BSP silently ignores spans; this wrapper counts sampled ones as dropped.
 * Exported / failed come from the exporter's ExportResult via CountingSpanExporter.
 *
 * With `encode`, each sampled span is handed to the BSP as what `encode` makes of it as it ends (the bridge's OTLP
 * encoder: its bytes, exporters/otlp-proto-encoder.ts `createSpanEncoder`, where the reason is): the BSP holds bytes,
 * not spans. A span that cannot be encoded is counted `failed`. A span the BSP would drop because its queue is full
 * is dropped (and counted) before it is encoded, by the BSP's own test (`queue size >= maxQueueSize`) on the queue
 * size it reports through the same meter (`otel.sdk.processor.span.queue.size`): a process whose export cannot keep
 * up pays nothing to encode what is thrown away. Where the BSP reports no queue size, every span is encoded.
 */
import { TraceFlags, createNoopMeter, type SpanContext, type Attributes, type Counter, type Meter, type MeterProvider, type ObservableUpDownCounter } from '@opentelemetry/api';
import { BatchSpanProcessor, type BatchSpanProcessorOptions, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED, METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE } from '../agent/semconv-incubating.js';
import { CountingSpanExporter } from './counting-exporter.js';
import { ExportSlots } from './export-slots.js';
import { SpanStage } from './span-path.js';
import { recordSpanOutcome, type SpanOutcomeRecorder } from '../self-metrics.js';
import { warnOnce } from '../log.js';
import type { ExportObserver } from './export-health.js';

/**
 * What the slot hands the BSP for an ended sampled span instead of the span: an object the slot's exporter knows
 * (the encoder's `EncodedSpan`). The BSP reads nothing else of what it holds (sdk-trace 3.1 BatchSpanProcessorBase:
 * `spanContext().traceFlags` in onEnd, `resource` before an export).
 */
export interface SpanStandIn {
  spanContext(): SpanContext;
  readonly resource: ReadableSpan['resource'];
}
export type SpanEncoder = (span: ReadableSpan) => SpanStandIn;

export interface CountingBatchSpanProcessorOptions extends Omit<BatchSpanProcessorOptions, 'exporter'> {
  exporter: SpanExporter;
  /** `exporter` label value, e.g. `sentry`, `otlp`. */
  name: string;
  /** Where outcomes go; defaults to the bridge self metrics. */
  record?: SpanOutcomeRecorder;
  /** The exporter's own concurrency limit: batches beyond it wait their turn (./export-slots.ts). */
  maxConcurrentExports?: number;
  /** Encode spans as they end, for an exporter that takes what this returns (see above). */
  encode?: SpanEncoder;
  /** Told of export attempts, their outcomes and queue-full drops (the bridge's readiness, ./export-health.ts). */
  observer?: ExportObserver;
}

/** The BSP's `error.type` for spans dropped because the queue was full. */
const QUEUE_FULL = 'queue_full';

export class CountingBatchSpanProcessor extends SpanStage {
  private readonly inner: BatchSpanProcessor;
  private readonly record: SpanOutcomeRecorder;
  private readonly name: string;
  private readonly observer: ExportObserver | undefined;
  private readonly encode: SpanEncoder | undefined;
  private readonly maxQueueSize: number;
  /** The BSP's queue size, read through its self-observability callback (see above); 0 until it registers one. */
  private queueSize: () => number = () => 0;
  private isShutdown = false;

  constructor(options: CountingBatchSpanProcessorOptions) {
    super();
    const { exporter, name, record, selfObsMeterProvider, maxConcurrentExports, observer, encode, ...batchOptions } = options;
    this.observer = observer;
    this.encode = encode;
    this.maxQueueSize = batchOptions.maxQueueSize ?? 2048; // the BSP's own default
    this.name = name;
    this.record = record ?? recordSpanOutcome;
    // A flush hands over at most the queue's worth of batches at once (+1 for the one already being exported).
    const batches = Math.ceil((batchOptions.maxQueueSize ?? 2048) / Math.max(1, batchOptions.maxExportBatchSize ?? 512)) + 1;
    const slotted = maxConcurrentExports === undefined ? exporter : new ExportSlots(exporter, maxConcurrentExports, batches);
    const counted = slotted instanceof CountingSpanExporter ? slotted : new CountingSpanExporter(slotted, { name, record: this.record, ...(observer === undefined ? {} : { observer }) });
    this.inner = new BatchSpanProcessor({
      ...batchOptions,
      exporter: counted,
      selfObsMeterProvider: createSlotTap({ onDropped: (n) => this.queueFull(n), onQueueSize: (read) => (this.queueSize = read) }, selfObsMeterProvider),
    });
  }

  // No onStart: the BatchSpanProcessor's does nothing (sdk-trace 3.1 BatchSpanProcessorBase), so the span path skips it.

  override onEnd(span: ReadableSpan): void {
    const sampled = (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
    if (this.isShutdown) {
      if (sampled) this.dropped(1);
      return;
    }
    if (!sampled || this.encode === undefined) return this.inner.onEnd(span);
    if (this.queueSize() >= this.maxQueueSize) return this.queueFull(1);
    let encoded: SpanStandIn;
    try {
      encoded = this.encode(span);
    } catch (err) {
      warnOnce(`encode-${this.name}`, `a span could not be encoded for the ${this.name} export and is counted failed: ${String(err)}`);
      this.outcome('failed', 1);
      return;
    }
    this.inner.onEnd(encoded as unknown as ReadableSpan); // what the BSP reads of it: SpanStandIn
  }

  override forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  override shutdown(): Promise<void> {
    this.isShutdown = true;
    return this.inner.shutdown();
  }

  private queueFull(count: number): void {
    this.dropped(count);
    try {
      this.observer?.queueFull(this.name);
    } catch {
      // observing never breaks the span path
    }
  }

  private dropped(count: number): void {
    this.outcome('dropped', count);
  }

  private outcome(outcome: 'dropped' | 'failed', count: number): void {
    try {
      this.record(outcome, this.name, count);
    } catch {
      // counting never breaks the span path
    }
  }
}

/** What the slot learns from the BSP's self-observability meter. */
export interface SlotTap {
  /** Spans the BSP dropped because its queue was full. */
  onDropped(count: number): void;
  /** Called once the BSP registers its queue-size callback: `read()` returns the queue size now. */
  onQueueSize?(read: () => number): void;
}

/**
 * A MeterProvider for the BSP's self-observability: everything is forwarded to `forward` (or a no-op meter); adds to
 * `otel.sdk.processor.span.processed` with `error.type="queue_full"` are also reported to `tap.onDropped`, and the
 * callback of `otel.sdk.processor.span.queue.size` is handed to `tap.onQueueSize` as a reader.
 */
export function createSlotTap(tap: SlotTap, forward?: MeterProvider): MeterProvider {
  return {
    getMeter(name, version, options): Meter {
      const base = forward ? forward.getMeter(name, version, options) : createNoopMeter();
      return {
        createGauge: (n, o) => base.createGauge(n, o),
        createHistogram: (n, o) => base.createHistogram(n, o),
        createUpDownCounter: (n, o) => base.createUpDownCounter(n, o),
        createObservableGauge: (n, o) => base.createObservableGauge(n, o),
        createObservableCounter: (n, o) => base.createObservableCounter(n, o),
        createObservableUpDownCounter: (n, o) => {
          const observable = base.createObservableUpDownCounter(n, o);
          const onQueueSize = tap.onQueueSize;
          return n === METRIC_OTEL_SDK_PROCESSOR_SPAN_QUEUE_SIZE && onQueueSize !== undefined ? readableQueueSize(observable, onQueueSize) : observable;
        },
        addBatchObservableCallback: (cb, obs) => base.addBatchObservableCallback(cb, obs),
        removeBatchObservableCallback: (cb, obs) => base.removeBatchObservableCallback(cb, obs),
        createCounter: <A extends Attributes>(n: string, o?: Parameters<Meter['createCounter']>[1]): Counter<A> => {
          const counter = base.createCounter<A>(n, o);
          if (n !== METRIC_OTEL_SDK_PROCESSOR_SPAN_PROCESSED) return counter;
          return {
            add(value, attributes, context) {
              if (attributes?.[ATTR_ERROR_TYPE] === QUEUE_FULL) tap.onDropped(value);
              counter.add(value, attributes, context);
            },
          };
        },
      };
    },
  };
}

/** The queue-size observable, forwarding as before, with each callback also handed over as a reader of the size. */
function readableQueueSize<A extends Attributes>(observable: ObservableUpDownCounter<A>, onQueueSize: (read: () => number) => void): ObservableUpDownCounter<A> {
  return {
    addCallback(callback) {
      // One result object per callback, reused: reading the size on every span allocates nothing.
      const result = { size: 0, observe(value: number) { this.size = value; } };
      const read = (): number => {
        result.size = 0;
        try {
          void callback(result as unknown as Parameters<typeof callback>[0]);
        } catch {
          return 0; // read on the span path: a callback that throws only means every span is encoded
        }
        return result.size;
      };
      onQueueSize(read);
      observable.addCallback(callback);
    },
    removeCallback: (callback) => observable.removeCallback(callback),
  };
}
