/**
 * The dynamic sampling context (DSC) each error event carries in its envelope's `trace` header, so Relay can tag
 * the error with its trace's sampling decision (getsentry/relay relay-server/src/processing/errors/
 * dynamic_sampling.rs). With `openTelemetryIntegration` the SDK finds no DSC of its own for an OpenTelemetry trace.
 *
 * A trace that arrived with a DSC keeps it (the DSC is frozen for the whole trace: sentry-docs develop-docs/sdk/
 * telemetry/traces/dynamic-sampling-context.mdx); it is remembered from the entry span (the one with a remote
 * parent) when it starts. Otherwise this process is the trace's head and its DSC is the one the propagator sends
 * downstream for that trace (`resolveDynamicSamplingContext`, src/propagation/dsc.ts: the rate that decided, read
 * from the span's `sentry.client_sample_rate`).
 */
import { ROOT_CONTEXT, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { BoundedMap } from '../bounded-map.js';
import { getDynamicSamplingContext, resolveDynamicSamplingContext, type DscOptions, type DynamicSamplingContext } from '../propagation/dsc.js';

type Dsc = Readonly<Partial<DynamicSamplingContext>>;

export class TraceDscMemory {
  /** traceId → incoming DSC, oldest forgotten first (a Map iterates in insertion order). */
  private readonly incoming: BoundedMap<string, Dsc>;

  constructor(
    private readonly options: DscOptions,
    capacity = 2000,
  ) {
    this.incoming = new BoundedMap(capacity);
  }

  /** Call from a processor's onStart: only spans with a remote parent can bring a DSC in. */
  onStart(span: Span, parentContext: Context): void {
    if (span.parentSpanContext?.isRemote !== true) return;
    if (getDynamicSamplingContext(parentContext) === undefined) return;
    // The propagator's own resolver, so an error and the requests its trace sends downstream carry one DSC (a
    // deferred decision made here included: its rate is on the span's attributes from the sampler).
    const dsc = resolveDynamicSamplingContext(trace.setSpan(parentContext, span), span.spanContext(), this.options);
    const traceId = span.spanContext().traceId;
    this.incoming.set(traceId, dsc);
  }

  /** The DSC of the trace of the span active in `ctx` (an uncaught error's), or `undefined` without a valid span. */
  dscForContext(ctx: Context): Dsc | undefined {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
    return this.incoming.get(spanContext.traceId) ?? resolveDynamicSamplingContext(ctx, spanContext, this.options);
  }

  /** The DSC of `span`'s trace; its `trace_id` is always the span's trace id. */
  dscFor(span: ReadableSpan): Dsc {
    const spanContext = span.spanContext();
    // The SDK hands processors its span object, which is an API span too: the resolver reads its attributes.
    return this.incoming.get(spanContext.traceId) ?? resolveDynamicSamplingContext(trace.setSpan(ROOT_CONTEXT, span as unknown as Span), spanContext, this.options);
  }
}
