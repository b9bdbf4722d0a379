/**
 * The span handle every helper passes to its callback, and the one lifecycle all helpers share:
 * start (attributes given at start, so samplers see them) → run the callback in the span's context →
 * harvest the result → end; or record the error and rethrow it unchanged.
 *
 * Cheap when nothing records: with no SDK no span or attribute is built at all, and on a non-recording span
 * every setter returns at once.
 */
import { context, INVALID_SPAN_CONTEXT, trace, type AttributeValue, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { recordError } from './errors.js';
import { setCurrentAgent, type AgentIdentity } from './agent-context.js';
import { serializeContent, isCaptureMessageContentEnabled } from './content.js';
import { getTracer, guard, reportInternal } from './internal.js';
import { linkable } from './linked-context.js';

/** What every helper's callback receives. */
export interface AgentSpan {
  /** The underlying OpenTelemetry span, for anything the typed helpers do not cover. */
  readonly span: Span;
  /** The context in which the span is active (with the current agent); use it with `context.with`. */
  readonly context: Context;
  /** False when nothing records this span (no SDK, or sampled out without AlwaysRecord): skip costly work. */
  isRecording(): boolean;
  setAttribute(key: string, value: AttributeValue): this;
  setAttributes(attributes: Attributes): this;
  addEvent(name: string, attributes?: Attributes): this;
  /** Mark the span failed (exception event, ERROR status, error.type) without ending it or throwing. */
  recordError(error: unknown): this;
}

/** Manual lifecycle, for spans that outlive one callback (streaming). `end` and `fail` are idempotent. */
export interface ManualSpan {
  /** Run `fn` with this span active, so spans started inside become its children. */
  run<T>(fn: () => T): T;
  /** End the span; `result`, when given, is harvested like a callback's return value. */
  end(result?: unknown): void;
  /** Record `error` and end the span. Does not throw: rethrow it yourself. */
  fail(error: unknown): void;
}

/** Everything needed to start one helper span. */
export interface SpanPlan {
  name: string;
  kind: SpanKind;
  /**
   * Start attributes (samplers see them); only built when an SDK is registered — so the option fields only they need
   * are read here (with `readFields`, internal.ts). The helpers build them as a literal plus one store per value
   * given, not with `compact`, whose shared stores go megamorphic (~100 ns per span against ~18).
   */
  attributes: () => Attributes;
  /** Parent context; the active context when omitted. */
  parent?: Context;
  /** Agent to make current for the callback (invokeAgent, receiveFromAgent with an agent). */
  agent?: AgentIdentity | undefined;
  /** Tracer to start the span with; the helpers' own (global provider) when omitted. */
  tracer?: Tracer | undefined;
}

export class SpanHandle implements AgentSpan, ManualSpan {
  readonly span: Span;
  readonly context: Context;
  private readonly recording: boolean;
  private ended = false;

  constructor(span: Span, ctx: Context) {
    this.span = span;
    this.context = ctx;
    this.recording = safeIsRecording(span);
  }

  /** Recording and not yet ended: the only state in which attribute work is worth doing. */
  protected get live(): boolean {
    return this.recording && !this.ended;
  }

  isRecording(): boolean {
    return this.live;
  }

  // The writes on every span's path catch inline rather than through `guard(where, () => …)`: a closure per write
  // and per end made the bench's agent step (bench/agent-step.js, no-op exporter) allocate 27.5 KB instead of 26.4
  // (sampling heap profile; the same spans written by hand: 20.4 KB).
  setAttribute(key: string, value: AttributeValue): this {
    if (!this.live) return this;
    try {
      this.span.setAttribute(key, value);
    } catch (err) {
      reportInternal('setAttribute', err);
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (!this.live) return this;
    try {
      this.span.setAttributes(attributes);
    } catch (err) {
      reportInternal('setAttributes', err);
    }
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    if (!this.live) return this;
    try {
      this.span.addEvent(name, attributes);
    } catch (err) {
      reportInternal('addEvent', err);
    }
    return this;
  }

  recordError(error: unknown): this {
    if (this.live) recordError(this.span, error);
    return this;
  }

  run<T>(fn: () => T): T {
    return context.with(this.context, fn);
  }

  end(result?: unknown): void {
    if (result === undefined) this.finish(false, undefined);
    else this.finish(true, result);
  }

  /** End after a callback returned `result` — harvested even when undefined (a `get` miss). */
  settle(result: unknown): void {
    this.finish(true, result);
  }

  private finish(harvest: boolean, result: unknown): void {
    if (this.ended) return;
    if (harvest && this.live) {
      try {
        this.harvest(result);
      } catch (err) {
        reportInternal('harvest result', err);
      }
    }
    this.ended = true;
    this.endSpan();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    if (this.live) recordError(this.span, error);
    this.ended = true;
    this.endSpan();
  }

  private endSpan(): void {
    try {
      this.span.end();
    } catch (err) {
      reportInternal('end span', err);
    }
  }

  /** Set a content attribute when capture is enabled (serialised and truncated). */
  protected setContent(key: string, value: unknown): void {
    if (!this.live || !isCaptureMessageContentEnabled()) return;
    guard('record content', () => {
      const text = serializeContent(value);
      if (text !== undefined) this.span.setAttribute(key, text);
    });
  }

  /** Read usage, model, counts, content… from a callback's return value. Overridden per helper. */
  protected harvest(_result: unknown): void {}
}

/**
 * Start a span from `plan` — given the active context, read once for the plan (the current agent) and the parent —
 * and wrap it in a handle made by `create`. Falls back to a no-op span on failure.
 */
export function startSpan<H extends SpanHandle>(plan: (active: Context) => SpanPlan, create: (span: Span, ctx: Context) => H): H {
  try {
    const active = context.active();
    const p = plan(active);
    // Linked, so that this span, the agent and the helpers' markers are added to it without copying it each time.
    const parent = linkable(p.parent ?? active);
    const tracer = p.tracer ?? getTracer();
    let span: Span;
    let ctx: Context;
    if (tracer === undefined) {
      // No SDK: what the API's no-op tracer would give (the parent's span context, non-recording), without
      // building attributes or setting the span — the parent context already carries that span context.
      const parentSpanContext = trace.getSpanContext(parent);
      span = parentSpanContext === undefined ? NOOP_SPAN : trace.wrapSpanContext(parentSpanContext);
      ctx = parent;
    } else {
      span = tracer.startSpan(p.name, { kind: p.kind, attributes: p.attributes() }, parent);
      ctx = trace.setSpan(parent, span);
    }
    if (p.agent !== undefined) ctx = setCurrentAgent(ctx, p.agent);
    return create(span, ctx);
  } catch (err) {
    reportInternal('start span', err);
    return create(NOOP_SPAN, context.active());
  }
}

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Run `fn(handle)` inside the handle's context and end the span when it settles. Sync results stay sync.
 * A native Promise is chained (so an unobserved rejection still surfaces as unhandled); any other thenable
 * (e.g. an SDK's APIPromise with extra methods) is returned as the same object with handlers attached.
 * Errors reach the caller as the same object.
 */
export function runInSpan<H extends SpanHandle, T>(handle: H, fn: (handle: H) => T): T {
  let result: T;
  try {
    result = context.with(handle.context, fn, undefined, handle);
  } catch (err) {
    handle.fail(err);
    throw err;
  }
  const then = thenOf(result);
  if (then === undefined) {
    handle.settle(result);
    return result;
  }
  const onFulfilled = (value: unknown): unknown => {
    handle.settle(value);
    return value;
  };
  const onRejected = (err: unknown): never => {
    handle.fail(err);
    throw err;
  };
  if (result instanceof Promise && result.constructor === Promise) {
    return (result as Promise<unknown>).then(onFulfilled, onRejected) as T;
  }
  try {
    then.call(result, onFulfilled, (err: unknown) => {
      handle.fail(err);
    });
  } catch (err) {
    reportInternal('observe thenable', err);
    handle.end();
  }
  return result;
}

function thenOf(value: unknown): ((onFulfilled: unknown, onRejected: unknown) => unknown) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    const then = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as (a: unknown, b: unknown) => unknown) : undefined;
  } catch {
    return undefined;
  }
}

function safeIsRecording(span: Span): boolean {
  try {
    return span.isRecording();
  } catch {
    return false;
  }
}
