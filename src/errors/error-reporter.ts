/**
 * What the error processors need from Sentry, as an interface: the SDK (@sentry/node, several hundred ms of module
 * loading) is loaded by the composition root in the background and only with a DSN, so nothing on the span path
 * imports it (the implementation is exporters/sentry.ts; instrumentation/bridge.ts queues calls until it is loaded).
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Breadcrumb, DynamicSamplingContext, Scope, ScopeContext } from '@sentry/core';

/** The span an error event belongs to. */
export interface TraceLink {
  spanContext: SpanContext;
  parentSpanId: string | undefined;
  /** The DSC of the span's trace (its `trace_id` is the span's trace id): the envelope's `trace` header. */
  dsc: Readonly<Partial<DynamicSamplingContext>>;
}

/** What else the event carries: scope fields (`tags`, `contexts`, `level`, `extra`) and how it was caught. */
export interface LinkedCaptureHint {
  captureContext?: Partial<Omit<ScopeContext, 'propagationContext'>>;
  mechanism?: { handled: boolean; type: string };
  /** What else goes on the event's scope (user, tags, the trace's breadcrumbs: src/context/event-context.ts). */
  decorate?: (scope: Scope) => void;
}

export interface ErrorReporter {
  /**
   * An error event linked to `link`'s span: `contexts.trace` and the envelope DSC both name that span's trace.
   * `metadata` goes into sdkProcessingMetadata beside the DSC (integrations read markers there).
   */
  captureLinked(error: unknown, link: TraceLink, hint: LinkedCaptureHint, metadata?: Record<string, unknown>): void;
  addBreadcrumb(breadcrumb: Breadcrumb): void;
}
