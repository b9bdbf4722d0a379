/**
 * W3C Trace Context Level 2's `random` trace flag (0x02: the trace id's rightmost 7 bytes are random;
 * w3c/trace-context `spec/20-http_request_header_format.md`, "Random Trace ID Flag"). It describes the trace id, so
 * it holds for every span of the trace. OpenTelemetry JS 3.x knows only `TraceFlags.SAMPLED` (the API's TraceFlags
 * enum has NONE and SAMPLED) and its tracer gives children `SAMPLED` or `NONE`, losing the bit. The extractor
 * remembers it in the context, bound to the trace id, and the injector sets it again on that trace's children.
 */
import { createContextKey, type Context } from '@opentelemetry/api';

export const TRACE_FLAG_RANDOM = 0x02;
/** The flags Level 2 defines (sampled, random); "Vendors MUST set those [other flags] to zero". */
export const KNOWN_TRACE_FLAGS = 0x03;

const RANDOM_TRACE_ID = createContextKey('agent-otel-bridge.propagation.random-trace-id');

export function markRandomTraceId(ctx: Context, traceId: string): Context {
  return ctx.setValue(RANDOM_TRACE_ID, traceId.toLowerCase());
}

/** True when `traceId` arrived with the random flag set (in `ctx` or an ancestor context). Never throws. */
export function isRandomTraceId(ctx: Context, traceId: string): boolean {
  try {
    return ctx.getValue(RANDOM_TRACE_ID) === traceId.toLowerCase();
  } catch {
    return false;
  }
}
