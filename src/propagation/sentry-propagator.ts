/**
 * The `sentry` propagator: `sentry-trace` + the DSC in `baggage`.
 *
 * It owns the baggage field. Alone it writes a baggage header with the DSC only; with `userBaggage` (what
 * `createPropagator` sets when `baggage` is enabled too) the same single header also carries the user members —
 * do not combine it with W3CBaggagePropagator, which would overwrite that header.
 *
 * @sentry/opentelemetry's SentryPropagator is not reused: it reads the trace data from Sentry's scopes and client
 * (`getTraceData`, `getClient`), skips injection for any context other than the active one, writes `baggage`
 * itself (the overwrite bug above), turns a missing sampled flag into "not sampled", and ignores traceparent on
 * extraction. Here OpenTelemetry owns the pipeline; only @sentry/core's header/DSC helpers are used.
 */
import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { BaggagePropagator } from './baggage-propagator.js';
import { BAGGAGE_HEADER } from './baggage-codec.js';
import type { DscOptions } from './dsc.js';
import { SENTRY_TRACE_HEADER } from './sentry-trace.js';
import { SentryTracePropagator } from './sentry-trace-propagator.js';

export interface SentryPropagatorOptions {
  /** Fields of a DSC created at the trace head. */
  dsc?: DscOptions;
  /** Also propagate user baggage members in the same header (the `baggage` propagator is enabled). Default false. */
  userBaggage?: boolean;
  /** A valid traceparent in the carrier wins over sentry-trace (the `tracecontext` propagator is enabled). Default false. */
  yieldToTraceparent?: boolean;
}

export class SentryPropagator implements TextMapPropagator {
  // Order matters for extraction: the DSC binds to the parent the sentry-trace (or traceparent) step set.
  private readonly parts: readonly TextMapPropagator[];

  constructor(options: SentryPropagatorOptions = {}) {
    this.parts = [
      new SentryTracePropagator({ yieldToTraceparent: options.yieldToTraceparent ?? false }),
      new BaggagePropagator({ userMembers: options.userBaggage ?? false, dsc: options.dsc ?? {} }),
    ];
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const part of this.parts) part.inject(ctx, carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.parts.reduce((next, part) => part.extract(next, carrier, getter), ctx);
  }

  fields(): string[] {
    return [SENTRY_TRACE_HEADER, BAGGAGE_HEADER];
  }
}
