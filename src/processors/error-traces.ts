/**
 * Errored traces kept whole at low sampling. At the production default of 0.1, nine of ten failures would reach
 * Sentry as an error whose trace was never exported. Every span is recorded (the sampler is AlwaysRecord), so the
 * spans of unsampled traces are held here for a while — bounded in bytes and in age — and when a span of such a
 * trace ends with an ERROR status, the trace's held spans, and every later span of it that ends in this process, go
 * to the exporters. Only a bug keeps its trace (what Sentry gets an issue for); an operational error (a 429, bad
 * input) does not.
 *
 * What a kept span says about itself:
 *  - it is exported as sampled (OTLP `flags` carry the W3C sampled bit: it *was* sent),
 *  - `sentry.client_sample_rate` = 1: Relay extrapolates a span by 1 / that rate (getsentry/relay
 *    relay-server/src/processing/spans/dynamic_sampling.rs); a kept span was sent because its trace failed, with
 *    probability 1, so it counts once — with the ratio's rate it would count ten times at 0.1,
 *  - `agent_bridge.kept_for` = `error`, the reason, for queries that want the random sample only.
 * The DSC propagated with the trace is not rewritten: downstream processes decided with it.
 *
 * Memory: the held spans' estimated size never exceeds `maxBytes` (oldest traces leave first, counted `evicted`);
 * a trace started here leaves when its root ends without a bug, and spans older than `maxAgeMs` leave unkept
 * (`expired`, the normal fate of a trace that never fails).
 */
import { SpanStatusCode, TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE } from '../propagation/index.js';
import { BoundedMap } from '../bounded-map.js';
import { recordErrorTraceSpans } from '../self-metrics.js';
import { classifySpanError } from '../errors/classify.js';
import { lastException } from '../errors/exception-event.js';
import { ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { SpanStage } from './span-path.js';

export const ATTR_KEPT_FOR = 'agent_bridge.kept_for';

export interface ErrorTraceOptions {
  /** The export pipelines (batch processors) kept spans are handed to. */
  exportTo: readonly SpanProcessor[];
  /** Estimated bytes of held spans, at most. */
  maxBytes: number;
  /** How long a span is held waiting for an error in its trace. */
  maxAgeMs: number;
  /** Error types that are operational (the configuration's list). */
  operationalErrors?: readonly string[];
  /** Traces remembered as kept (their later spans go straight out). */
  maxKeptTraces?: number;
  /**
   * Web-framework spans whose exception went to their request's server span (src/processors/framework-spans.ts):
   * that span's outcome (a 5xx or not) decides, not theirs — a 404 the framework answered keeps nothing.
   */
  isHandedOver?: (span: ReadableSpan) => boolean;
  now?: () => number;
}

interface Held {
  /** Undefined once released (kept or finished): its arrival-order entry then holds nothing. */
  span: ReadableSpan | undefined;
  bytes: number;
  at: number;
}

export class ErrorTraceProcessor extends SpanStage {
  /** traceId → its held spans; Map order = first held, so the oldest trace is first. */
  private readonly held = new Map<string, Held[]>();
  /** Held spans in arrival order, for expiry and eviction (each entry's trace looked up in `held`). */
  private readonly order: Array<{ traceId: string; entry: Held }> = [];
  private orderHead = 0;
  private bytes = 0;
  private readonly kept: BoundedMap<string, true>;
  private readonly now: () => number;

  constructor(private readonly options: ErrorTraceOptions) {
    super();
    this.kept = new BoundedMap(options.maxKeptTraces ?? 4096);
    this.now = options.now ?? Date.now;
  }

  override onEnd(span: ReadableSpan): void {
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) return; // exported anyway
    try {
      const traceId = spanContext.traceId;
      if (this.kept.has(traceId)) return this.export([span]);
      if (span.status.code === SpanStatusCode.ERROR && this.options.isHandedOver?.(span) !== true && this.isBug(span)) return this.keep(traceId, span);
      // The root of a trace started here ended without a bug: the trace is over in this process, its spans go now.
      // (Held until the bounds instead, each one outlived the young generation: the sustained bench at 0.1 measured
      // +100 MB peak RSS and +18 µs per agent step.) A trace that came from elsewhere may come back: held.
      if (span.parentSpanContext === undefined) return this.finish(traceId);
      this.hold(traceId, span);
    } catch {
      // never break the span path: the span is simply not kept
    }
  }

  /** The errors Sentry gets an issue for (src/errors/classify.ts): an operational one (a 429, a 404) keeps nothing. */
  private isBug(span: ReadableSpan): boolean {
    const exceptionType = lastException(span)?.[ATTR_EXCEPTION_TYPE];
    return classifySpanError(span.attributes, typeof exceptionType === 'string' ? exceptionType : undefined, this.options.operationalErrors) === 'bug';
  }

  /** Estimated bytes held now (tests, the bench). */
  heldBytes(): number {
    return this.bytes;
  }

  private keep(traceId: string, failing: ReadableSpan): void {
    this.kept.set(traceId, true);
    const spans = (this.held.get(traceId) ?? []).flatMap((entry) => (entry.span === undefined ? [] : [entry.span]));
    this.release(traceId);
    spans.push(failing);
    this.export(spans);
  }

  private export(spans: ReadableSpan[]): void {
    recordErrorTraceSpans('kept', spans.length);
    for (const span of spans) {
      const view = keptView(span);
      for (const pipeline of this.options.exportTo) pipeline.onEnd(view);
    }
  }

  private hold(traceId: string, span: ReadableSpan): void {
    const at = this.now();
    this.expire(at);
    const entry: Held = { span, bytes: estimateBytes(span), at };
    if (entry.bytes > this.options.maxBytes) return recordErrorTraceSpans('evicted', 1);
    let list = this.held.get(traceId);
    if (list === undefined) this.held.set(traceId, (list = []));
    list.push(entry);
    this.order.push({ traceId, entry });
    this.bytes += entry.bytes;
    while (this.bytes > this.options.maxBytes) this.dropOldest('evicted');
  }

  /** Spans held longer than maxAgeMs leave, oldest first. */
  private expire(now: number): void {
    for (;;) {
      const head = this.order[this.orderHead];
      if (head === undefined) return;
      // Released entries (their trace kept or finished) are passed over: the order never keeps a span alive.
      if (head.entry.span !== undefined && now - head.entry.at <= this.options.maxAgeMs) return;
      this.dropOldest('expired');
    }
  }

  private dropOldest(outcome: 'expired' | 'evicted'): void {
    const oldest = this.order[this.orderHead];
    if (oldest === undefined) return;
    this.orderHead++;
    const list = this.held.get(oldest.traceId);
    if (list !== undefined && list[0] === oldest.entry) {
      list.shift();
      this.bytes -= oldest.entry.bytes;
      recordErrorTraceSpans(outcome, 1);
      if (list.length === 0) this.held.delete(oldest.traceId);
    }
    // Compact the order array once its consumed head is large (amortized O(1) per span).
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }

  /** A trace ended without a bug: its held spans leave unkept (counted `expired`, the usual fate). */
  private finish(traceId: string): void {
    const held = this.held.get(traceId)?.length ?? 0;
    this.release(traceId);
    recordErrorTraceSpans('expired', held + 1);
  }

  /** A kept trace's held spans leave the buffer (their order entries are skipped when reached). */
  private release(traceId: string): void {
    const list = this.held.get(traceId);
    if (list === undefined) return;
    for (const entry of list) {
      this.bytes -= entry.bytes;
      entry.span = undefined;
    }
    this.held.delete(traceId);
  }

  override shutdown(): Promise<void> {
    const unkept = [...this.held.values()].reduce((n, list) => n + list.length, 0);
    recordErrorTraceSpans('expired', unkept);
    this.held.clear();
    this.order.length = 0;
    this.orderHead = 0;
    this.bytes = 0;
    return Promise.resolve();
  }
}

/** The span as exported when kept: sampled, counted once by Relay, with the reason. */
function keptView(span: ReadableSpan): ReadableSpan {
  const spanContext = span.spanContext();
  const sampled: SpanContext = { ...spanContext, traceFlags: spanContext.traceFlags | TraceFlags.SAMPLED };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => sampled,
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: { ...span.attributes, [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: 1, [ATTR_KEPT_FOR]: 'error' },
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Rough bytes a held span keeps alive: a fixed part plus its attribute and event text (UTF-16: 2 bytes a char). */
function estimateBytes(span: ReadableSpan): number {
  let bytes = 512 + 2 * span.name.length;
  bytes += attributeBytes(span.attributes);
  for (const event of span.events) bytes += 128 + 2 * event.name.length + attributeBytes(event.attributes ?? {});
  return bytes + 96 * span.links.length;
}

function attributeBytes(attributes: ReadableSpan['attributes']): number {
  let bytes = 0;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += 48 + 2 * key.length;
    if (typeof value === 'string') bytes += 2 * value.length;
    else if (Array.isArray(value)) for (const item of value) bytes += typeof item === 'string' ? 16 + 2 * item.length : 16;
    else bytes += 16;
  }
  return bytes;
}
