/**
 * W3C trace-context (`traceparent`, `tracestate`) with @opentelemetry/core's W3CTraceContextPropagator semantics,
 * hardened for untrusted carriers: extraction goes through that propagator with a getter that yields one bounded
 * string per field (conflicting repeated traceparent headers are invalid, as the W3C test suite expects; repeated
 * tracestate headers are joined), and injection formats the flags as exactly two hex digits (core writes
 * `0${flags.toString(16)}`, three digits for flags ≥ 0x10 that a forwarded remote context can carry).
 */
import {
  isSpanContextValid,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { TRACE_PARENT_HEADER, TRACE_STATE_HEADER, W3CTraceContextPropagator, isTracingSuppressed, parseTraceParent } from '@opentelemetry/core';
import { warnOnce } from '../log.js';
import { describe, readListValue, readSingleValue, writeValue } from './carrier.js';
import { MAX_INCOMING_TRACEPARENT_LENGTH, MAX_INCOMING_TRACESTATE_LENGTH } from './limits.js';

export { TRACE_PARENT_HEADER, TRACE_STATE_HEADER };

/** The traceparent the carrier would continue, or `undefined` when it has none that is valid. */
export function readValidTraceparent<C>(carrier: C, getter: TextMapGetter<C>): ReturnType<typeof parseTraceParent> | undefined {
  const value = readSingleValue(getter, carrier, TRACE_PARENT_HEADER, MAX_INCOMING_TRACEPARENT_LENGTH);
  return value === undefined ? undefined : (parseTraceParent(value) ?? undefined);
}

// A printable-ASCII list (what TraceState.serialize produces from validated members); guards custom TraceStates.
const SAFE_TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export class TraceContextPropagator implements TextMapPropagator {
  private readonly w3c = new W3CTraceContextPropagator();

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(ctx);
      if (spanContext === undefined || isTracingSuppressed(ctx) || !isSpanContextValid(spanContext)) return;
      const flags = (Number(spanContext.traceFlags) & 0xff).toString(16).padStart(2, '0');
      const traceparent = `00-${spanContext.traceId.toLowerCase()}-${spanContext.spanId.toLowerCase()}-${flags}`;
      writeValue(setter, carrier, TRACE_PARENT_HEADER, traceparent);
      const traceState = spanContext.traceState?.serialize();
      if (typeof traceState === 'string' && SAFE_TRACESTATE.test(traceState)) writeValue(setter, carrier, TRACE_STATE_HEADER, traceState);
    } catch (err) {
      warnOnce('propagation-inject-tracecontext', `traceparent injection failed: ${describe(err)}`);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      return this.w3c.extract(ctx, carrier, boundedGetter(getter));
    } catch (err) {
      warnOnce('propagation-extract-tracecontext', `traceparent extraction failed: ${describe(err)}`);
      return ctx;
    }
  }

  fields(): string[] {
    return [TRACE_PARENT_HEADER, TRACE_STATE_HEADER];
  }
}

function boundedGetter(getter: TextMapGetter): TextMapGetter {
  return {
    get(carrier, key) {
      if (key === TRACE_PARENT_HEADER) return readSingleValue(getter, carrier, key, MAX_INCOMING_TRACEPARENT_LENGTH);
      if (key === TRACE_STATE_HEADER) return readListValue(getter, carrier, key, MAX_INCOMING_TRACESTATE_LENGTH);
      return undefined;
    },
    keys: () => [],
  };
}
