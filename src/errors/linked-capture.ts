/**
 * Sends an error event linked to one OpenTelemetry span: its `contexts.trace` and its envelope's `trace` header
 * (the DSC) both name that span's trace, whatever the SDK finds later.
 *
 * Why both are set at capture time: with `openTelemetryIntegration` the SDK fills `contexts.trace` and the DSC in
 * `_prepareEvent` *after* its event processors ran (@sentry/core client.js: `getTraceContextFromScope`,
 * `getDynamicSamplingContextFromScope`), reading whichever OpenTelemetry span is active then. An asynchronous
 * processor (ContextLines reads source files) moves that moment out of the failing span's context, and the event
 * got a random scope trace id in some runs — and no DSC, or one for that random trace. What the event carries wins
 * over the fill-in (`contexts: { trace: …, ...evt.contexts }`, `sdkProcessingMetadata: { dsc, ...evt.… }`).
 */
import { ROOT_CONTEXT, context, trace, type SpanContext } from '@opentelemetry/api';
import * as Sentry from '@sentry/node';
import type { DynamicSamplingContext, ScopeContext } from '@sentry/core';

export interface TraceLink {
  spanContext: SpanContext;
  parentSpanId: string | undefined;
  /** The DSC of the span's trace (its `trace_id` is the span's trace id). */
  dsc: Readonly<Partial<DynamicSamplingContext>>;
}

/** What else the event carries: scope fields (`tags`, `contexts`, `level`, `extra`) and how it was caught. */
export interface LinkedCaptureHint {
  captureContext?: Partial<Omit<ScopeContext, 'propagationContext'>>;
  mechanism?: { handled: boolean; type: string };
}

/**
 * `Sentry.captureException` with `link` as the event's trace. `metadata` goes into sdkProcessingMetadata beside the
 * DSC (integrations read markers there).
 */
export function captureLinked(error: unknown, link: TraceLink, hint: LinkedCaptureHint, metadata: Record<string, unknown> = {}): void {
  const { traceId, spanId } = link.spanContext;
  const trace_ = { trace_id: traceId, span_id: spanId, ...(link.parentSpanId === undefined ? {} : { parent_span_id: link.parentSpanId }) };
  const scopeContext = hint.captureContext ?? {};
  // openTelemetryIntegration reads the *active* span: make the linked one active (as a non-recording view of its
  // context) so anything the SDK derives synchronously agrees too.
  context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(link.spanContext)), () => {
    Sentry.withScope((scope) => {
      scope.setSDKProcessingMetadata({ ...metadata, dynamicSamplingContext: link.dsc });
      Sentry.captureException(error, {
        ...(hint.mechanism === undefined ? {} : { mechanism: hint.mechanism }),
        captureContext: { ...scopeContext, contexts: { ...scopeContext.contexts, trace: trace_ } },
      });
    });
  });
}
