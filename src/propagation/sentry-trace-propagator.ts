/**
 * The `sentry-trace` field. Extract: continues the trace of a valid sentry-trace header, honouring its sampled flag;
 * without a flag the parent is marked "sampling deferred". With `yieldToTraceparent` (set when tracecontext is also
 * enabled) a valid traceparent in the same carrier wins and sentry-trace is not used at all. Inject: the span's
 * `{trace_id}-{span_id}-{0|1}`.
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
import { markSamplingDeferred } from './deferred-sampling.js';
import { MAX_INCOMING_SENTRY_TRACE_LENGTH } from './limits.js';
import { SENTRY_TRACE_HEADER, formatSentryTrace, parseSentryTrace } from './sentry-trace.js';
import { readValidTraceparent } from './trace-context-propagator.js';

export interface SentryTracePropagatorOptions {
  /** A valid traceparent in the carrier takes precedence (DESIGN §6). Default false. */
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
      if (this.yieldToTraceparent && readValidTraceparent(carrier, getter) !== undefined) return ctx;
      const value = readSingleValue(getter, carrier, SENTRY_TRACE_HEADER, MAX_INCOMING_SENTRY_TRACE_LENGTH);
      const data = value === undefined ? undefined : parseSentryTrace(value);
      if (data === undefined) return ctx;
      const parent: SpanContext = {
        traceId: data.traceId,
        spanId: data.spanId,
        isRemote: true,
        traceFlags: data.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
      };
      const next = trace.setSpanContext(ctx, parent);
      return data.sampled === undefined ? markSamplingDeferred(next, parent) : next;
    } catch (err) {
      warnOnce('propagation-extract-sentry-trace', `sentry-trace extraction failed: ${describe(err)}`);
      return ctx;
    }
  }

  fields(): string[] {
    return [SENTRY_TRACE_HEADER];
  }
}
