/**
 * The `sentry-trace` field. Extract: continues the trace of a valid sentry-trace header, honouring its sampled flag;
 * without a flag the parent is marked "sampling deferred". With `yieldToTraceparent` (set when tracecontext is also
 * enabled) a valid traceparent in the same carrier wins and sentry-trace only says the sender was a Sentry SDK
 * (when it names the same trace). A trace continued from a Sentry SDK gets a frozen, empty DSC here; `sentry-*`
 * baggage members, extracted next, replace it (see dsc.ts). Inject: the span's `{trace_id}-{span_id}-{0|1}`.
 */
import {
  TraceFlags,
  isSpanContextValid,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { warnOnce } from '../log.js';
import { describe, readSingleValue, writeValue } from './carrier.js';
import { setIncomingDsc } from './dsc.js';
import { markSamplingDeferred } from './deferred-sampling.js';
import { MAX_INCOMING_SENTRY_TRACE_LENGTH } from './limits.js';
import { SENTRY_TRACE_HEADER, formatSentryTrace, parseSentryTrace } from './sentry-trace.js';
import { readValidTraceparent } from './trace-context-propagator.js';

export interface SentryTracePropagatorOptions {
  /** A valid traceparent in the carrier takes precedence (docs/propagation.md). Default false. */
  yieldToTraceparent?: boolean;
}

export class SentryTracePropagator implements TextMapPropagator {
  private readonly yieldToTraceparent: boolean;

  constructor(options: SentryTracePropagatorOptions = {}) {
    this.yieldToTraceparent = options.yieldToTraceparent ?? false;
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const spanContext = trace.getSpanContext(ctx);
      if (spanContext === undefined || isTracingSuppressed(ctx) || !isSpanContextValid(spanContext)) return;
      writeValue(setter, carrier, SENTRY_TRACE_HEADER, formatSentryTrace(spanContext));
    } catch (err) {
      warnOnce('propagation-inject-sentry-trace', `sentry-trace injection failed: ${describe(err)}`);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const value = readSingleValue(getter, carrier, SENTRY_TRACE_HEADER, MAX_INCOMING_SENTRY_TRACE_LENGTH);
      const data = value === undefined ? undefined : parseSentryTrace(value);
      const traceparent = this.yieldToTraceparent ? readValidTraceparent(carrier, getter) : undefined;
      if (traceparent !== undefined) {
        // The traceparent propagator already set the parent; setIncomingDsc binds only when the trace ids agree.
        return data === undefined ? ctx : setIncomingDsc(ctx, { trace_id: data.traceId });
      }
      if (data === undefined) return ctx;
      const parent: SpanContext = {
        traceId: data.traceId,
        spanId: data.spanId,
        isRemote: true,
        traceFlags: data.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
      };
      const next = trace.setSpanContext(ctx, parent);
      return setIncomingDsc(data.sampled === undefined ? markSamplingDeferred(next, parent) : next, { trace_id: data.traceId });
    } catch (err) {
      warnOnce('propagation-extract-sentry-trace', `sentry-trace extraction failed: ${describe(err)}`);
      return ctx;
    }
  }

  fields(): string[] {
    return [SENTRY_TRACE_HEADER];
  }
}
