/**
 * W3C trace-context (`traceparent`, `tracestate`), hardened for untrusted carriers. traceparent is parsed with
 * @opentelemetry/core's `parseTraceParent` from one bounded string (conflicting repeated traceparent headers are
 * invalid, as the W3C test suite expects); tracestate is validated whole (tracestate.ts: an invalid header is
 * discarded, not partly repaired as OTel JS does), repeated headers joined. The Level 2 random flag survives to
 * the children (random-flag.ts). Injection formats the flags as exactly two hex digits with only the defined bits
 * (core writes `0${flags.toString(16)}`, three digits for flags ≥ 0x10 that a forwarded remote context can carry).
 */
import {
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { TRACE_PARENT_HEADER, TRACE_STATE_HEADER, isTracingSuppressed, parseTraceParent } from '@opentelemetry/core';
import { warnOnce } from '../log.js';
import { describe, readListValue, readSingleValue, writeValue } from './carrier.js';
import { MAX_INCOMING_TRACEPARENT_LENGTH, MAX_INCOMING_TRACESTATE_LENGTH } from './limits.js';
import { KNOWN_TRACE_FLAGS, TRACE_FLAG_RANDOM, isRandomTraceId, markRandomTraceId } from './random-flag.js';
import { parseTraceState } from './tracestate.js';

export { TRACE_PARENT_HEADER, TRACE_STATE_HEADER };

/** The traceparent the carrier would continue, or `undefined` when it has none that is valid. */
export function readValidTraceparent<C>(carrier: C, getter: TextMapGetter<C>): NonNullable<ReturnType<typeof parseTraceParent>> | undefined {
  const value = readSingleValue(getter, carrier, TRACE_PARENT_HEADER, MAX_INCOMING_TRACEPARENT_LENGTH);
  return value === undefined ? undefined : (parseTraceParent(value) ?? undefined);
}

// A printable-ASCII list (what a validated TraceState serializes to); guards custom TraceStates.
const SAFE_TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export class TraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(ctx);
      if (spanContext === undefined || isTracingSuppressed(ctx) || !isSpanContextValid(spanContext)) return;
      let flags = Number(spanContext.traceFlags) & KNOWN_TRACE_FLAGS;
      if (isRandomTraceId(ctx, spanContext.traceId)) flags |= TRACE_FLAG_RANDOM;
      const traceparent = `00-${spanContext.traceId.toLowerCase()}-${spanContext.spanId.toLowerCase()}-${flags.toString(16).padStart(2, '0')}`;
      writeValue(setter, carrier, TRACE_PARENT_HEADER, traceparent);
      const traceState = spanContext.traceState?.serialize();
      if (typeof traceState === 'string' && SAFE_TRACESTATE.test(traceState)) writeValue(setter, carrier, TRACE_STATE_HEADER, traceState);
    } catch (err) {
      warnOnce('propagation-inject-tracecontext', `traceparent injection failed: ${describe(err)}`);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const parsed = readValidTraceparent(carrier, getter);
      if (parsed === undefined) return ctx;
      const parent: SpanContext = { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags, isRemote: true };
      // W3C: tracestate is parsed only after a valid traceparent, and failing to parse it never affects traceparent.
      const header = readListValue(getter, carrier, TRACE_STATE_HEADER, MAX_INCOMING_TRACESTATE_LENGTH);
      const traceState = header === undefined ? undefined : parseTraceState(header);
      if (traceState !== undefined) parent.traceState = traceState;
      const next = trace.setSpanContext(ctx, parent);
      return (parsed.traceFlags & TRACE_FLAG_RANDOM) === TRACE_FLAG_RANDOM ? markRandomTraceId(next, parsed.traceId) : next;
    } catch (err) {
      warnOnce('propagation-extract-tracecontext', `traceparent extraction failed: ${describe(err)}`);
      return ctx;
    }
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}
