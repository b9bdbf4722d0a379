/**
 * The `sentry-trace` header: `{trace_id 32 hex}-{span_id 16 hex}[-{0|1}]`.
 *
 * @sentry/core's `extractTraceparentData` makes every part optional (it accepts `-`, a bare trace id, ids without
 * dashes), which is right for Sentry's own "start a trace with this id" use but must never continue a trace here: only
 * the full shape is read, and all-zero ids are rejected as in W3C trace-context. Parsed and formatted here rather than
 * through @sentry/core because its one entry point loads ~180 modules into every process at start, DSN or not
 * (`npm run bench`, start-up); test/unit/propagation/sentry-core-parity.test.ts holds both functions equal to
 * `extractTraceparentData` / `generateSentryTraceHeader` of @sentry/core.
 */
import { TraceFlags, isValidSpanId, isValidTraceId, type SpanContext } from '@opentelemetry/api';

export const SENTRY_TRACE_HEADER = 'sentry-trace';

const STRICT_SENTRY_TRACE = /^[ \t]*([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?[ \t]*$/;

export interface SentryTraceData {
  traceId: string;
  spanId: string;
  /** `undefined` when the header had no sampled flag: the receiver's sampler decides. */
  sampled: boolean | undefined;
}

export function parseSentryTrace(value: string): SentryTraceData | undefined {
  const match = STRICT_SENTRY_TRACE.exec(value);
  if (match === null) return undefined;
  const [, traceId, spanId, flag] = match as unknown as [string, string, string, string | undefined];
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return { traceId, spanId, sampled: flag === undefined ? undefined : flag === '1' };
}

/** Always carries the flag: the sender of a span knows its decision. */
export function formatSentryTrace(spanContext: SpanContext): string {
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
  return `${spanContext.traceId.toLowerCase()}-${spanContext.spanId.toLowerCase()}-${sampled ? '1' : '0'}`;
}
