/**
 * The `sentry-trace` header: `{trace_id 32 hex}-{span_id 16 hex}[-{0|1}]`.
 *
 * Parsing and formatting go through @sentry/core (`extractTraceparentData`, `generateSentryTraceHeader`), but its
 * TRACEPARENT_REGEXP makes every part optional (it accepts `-`, a bare trace id, ids without dashes), which is right
 * for Sentry's own "start a trace with this id" use but must never continue a trace here. So a strict shape check runs
 * first, and all-zero ids are rejected as in W3C trace-context.
 */
import { TraceFlags, isValidSpanId, isValidTraceId, type SpanContext } from '@opentelemetry/api';
import { extractTraceparentData, generateSentryTraceHeader } from '@sentry/core';

export const SENTRY_TRACE_HEADER = 'sentry-trace';

const STRICT_SENTRY_TRACE = /^[ \t]*[0-9a-f]{32}-[0-9a-f]{16}(?:-[01])?[ \t]*$/;

export interface SentryTraceData {
  traceId: string;
  spanId: string;
  /** `undefined` when the header had no sampled flag: the receiver's sampler decides. */
  sampled: boolean | undefined;
}

export function parseSentryTrace(value: string): SentryTraceData | undefined {
  if (!STRICT_SENTRY_TRACE.test(value)) return undefined;
  const data = extractTraceparentData(value);
  const traceId = data?.traceId;
  const spanId = data?.parentSpanId;
  if (traceId === undefined || spanId === undefined || !isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return { traceId, spanId, sampled: data?.parentSampled };
}

/** Always carries the flag: the sender of a span knows its decision. */
export function formatSentryTrace(spanContext: SpanContext): string {
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  return generateSentryTraceHeader(spanContext.traceId.toLowerCase(), spanContext.spanId.toLowerCase(), sampled);
}
