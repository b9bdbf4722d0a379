/**
 * Processor 3 (docs/architecture.md §1): an ERROR span with an exception event becomes one Sentry event — the error the
 * agent actually hit, with its type, message and stack, linked to that span's trace and span ids, tagged with
 * agent, span type, model, provider and service.
 *
 *  - Every recorded span is seen (sampled or not), so errors are captured even when the trace is not exported.
 *  - The same exception rethrown through nested helper spans is reported once, from the innermost span (it
 *    ends first); outer spans find it in a small per-trace memory.
 *  - A web framework's handler span hands its exception to the request's server span
 *    (src/processors/framework-spans.ts): a handled 5xx is reported once from the request span, a 4xx not at all.
 *  - Operational errors (validation, not found, auth, aborts, HTTP 4xx incl. 429) create no issue: a breadcrumb
 *    instead, and `agent_bridge_sentry_events_total{outcome="filtered"}`.
 *  - The event carries the trace's context (src/context/event-context.ts): `user.id`, tags for the allowlisted
 *    ids (tenant, session, conversation), the failing span's attributes as `contexts.otel`, and the recent HTTP,
 *    LLM, memory and tool calls of its trace as breadcrumbs.
 */
import { SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
} from '../agent/semconv-incubating.js';
import { classifySpanError } from '../errors/classify.js';
import { lastException } from '../errors/exception-event.js';
import { recordSentryEvent } from '../self-metrics.js';
import { BoundedSet } from '../errors/bounded-set.js';
import { rememberReportedFromSpan } from '../errors/reported-from-span.js';
import type { ErrorReporter, TraceLink } from '../errors/error-reporter.js';
import { TraceDscMemory } from './trace-dsc.js';
import { agentSpanTypeOf } from '../agent/span-type.js';
import { compact } from '../agent/internal.js';
import type { DscOptions } from '../propagation/dsc.js';
import { EventContextBuilder, eventDecoration } from '../context/event-context.js';
import { DEFAULT_CONTEXT_POLICY, type ContextPolicy } from '../context/keys.js';
import type { TraceBreadcrumbs } from '../context/trace-breadcrumbs.js';
import { SpanStage } from './span-path.js';

/** sdkProcessingMetadata flag of the events this processor captures (exporters/span-error-dedupe.ts reads it). */
export const SPAN_ERROR_EVENT = 'agentBridgeSpanError';

export interface SentryErrorsProcessorOptions {
  operationalErrors: readonly string[];
  /** Fallback for the `service` tag when the span's resource has no service.name. */
  serviceName: string;
  /** What this process puts into a DSC it heads (the propagator's options): see trace-dsc.ts. */
  dsc?: DscOptions;
  /** Where events and breadcrumbs go (Sentry: exporters/sentry.ts). */
  reporter: ErrorReporter;
  /** Which context keys reach the event (user, tags); default: ids only (src/context/keys.ts). */
  context?: ContextPolicy;
  /** The recent calls of each trace (fed by TraceBreadcrumbsProcessor); none when absent. */
  breadcrumbs?: TraceBreadcrumbs;
  /**
   * Spans whose exception was handed to their request's server span (FrameworkSpansProcessor, registered before
   * this one): reported from there, by the response status, instead.
   */
  isHandedOver?: (span: ReadableSpan) => boolean;
}

export class SentryErrorsProcessor extends SpanStage {
  /** traceId + exception fingerprint of what was already reported (bounded in count and bytes: digests only). */
  private readonly reported = new BoundedSet(2000);

  private readonly traceDsc: TraceDscMemory;

  private readonly eventContext: EventContextBuilder;

  constructor(private readonly options: SentryErrorsProcessorOptions) {
    super();
    this.traceDsc = new TraceDscMemory(options.dsc ?? {});
    this.eventContext = new EventContextBuilder(options.context ?? DEFAULT_CONTEXT_POLICY);
  }

  override onStart(span: Span, parentContext: Context): void {
    try {
      this.traceDsc.onStart(span, parentContext);
    } catch {
      // a DSC we cannot read leaves the error with the head DSC; never break span start
    }
  }

  override onEnd(span: ReadableSpan): void {
    if (span.status.code !== SpanStatusCode.ERROR || this.options.isHandedOver?.(span) === true) return;
    try {
      this.report(span);
    } catch {
      recordSentryEvent('dropped');
    }
  }

  private report(span: ReadableSpan): void {
    const exception = lastException(span);
    if (exception === undefined) return;
    const type = stringAttr(exception, ATTR_EXCEPTION_TYPE) ?? stringAttr(span.attributes, ATTR_ERROR_TYPE) ?? 'Error';
    const message = stringAttr(exception, ATTR_EXCEPTION_MESSAGE) ?? '';
    const stack = stringAttr(exception, ATTR_EXCEPTION_STACKTRACE);
    const { traceId, spanId } = span.spanContext();

    const fingerprint = `${traceId}|${type}|${message}|${stack ?? ''}`;
    if (this.reported.has(fingerprint)) return;
    this.reported.add(fingerprint);

    if (classifySpanError(span.attributes, type, this.options.operationalErrors) === 'operational') {
      this.options.reporter.addBreadcrumb({
        category: 'agent.error',
        level: 'warning',
        message: `${type}: ${message}`,
        data: { trace_id: traceId, span_id: spanId, span: span.name },
      });
      recordSentryEvent('filtered');
      return;
    }

    const error = rebuildError(type, message, stack);
    rememberReportedFromSpan(type, message, stack);
    const tags = compact({
      agent: stringAttr(span.attributes, ATTR_GEN_AI_AGENT_NAME),
      // the same classification as the metrics: an instrumented library's chat span is tagged like aiRequest's
      'span.type': agentSpanTypeOf(span.attributes),
      model: stringAttr(span.attributes, ATTR_GEN_AI_REQUEST_MODEL),
      provider: stringAttr(span.attributes, ATTR_GEN_AI_PROVIDER_NAME),
      service: stringAttr(span.resource.attributes, ATTR_SERVICE_NAME) ?? this.options.serviceName,
    });
    const link = { spanContext: span.spanContext(), parentSpanId: span.parentSpanContext?.spanId, dsc: this.traceDsc.dscFor(span) };
    const decorate = eventDecoration(this.eventContext.build({ attributes: span.attributes }), this.options.breadcrumbs?.recent(traceId, spanId) ?? []);
    this.options.reporter.captureLinked(
      error,
      link,
      { captureContext: { tags, contexts: { span: { name: span.name, parent_span_id: span.parentSpanContext?.spanId ?? null } } }, decorate },
      { [SPAN_ERROR_EVENT]: true },
    );
  }

  /**
   * The trace link for an error that escaped while `ctx` was active (an uncaught exception, an unhandled
   * rejection): its span's ids and its trace's DSC, or `undefined` outside any span.
   */
  traceLinkFor(ctx: Context): TraceLink | undefined {
    try {
      const dsc = this.traceDsc.dscForContext(ctx);
      const span = trace.getSpan(ctx);
      if (dsc === undefined || span === undefined) return undefined;
      // The SDK's spans are ReadableSpans too; any other API span has no parent to report.
      const parent = (span as Partial<ReadableSpan>).parentSpanContext;
      return { spanContext: span.spanContext(), parentSpanId: parent?.spanId, dsc };
    } catch {
      return undefined;
    }
  }
}

/** An Error carrying the recorded type, message and stack, so Sentry parses frames the way it always does. */
function rebuildError(type: string, message: string, stack: string | undefined): Error {
  const error = new Error(message);
  error.name = type;
  error.stack = stack ?? `${type}: ${message}`;
  return error;
}

function stringAttr(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

