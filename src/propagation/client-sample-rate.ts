/**
 * The rate that decided a span's sampling, as the span carries it and the DSC repeats it.
 *
 * Relay extrapolates span counts by `1 / sentry.client_sample_rate` (getsentry/relay issue 6298 / PR 6299,
 * `relay-server/src/processing/spans/dynamic_sampling.rs`); OTLP has no DSC, so a span without the attribute counts
 * as sampled at 1.0. The attribute name is sentry-conventions' `sentry.client_sample_rate`
 * (getsentry/sentry-conventions `model/attributes/sentry/sentry__client_sample_rate.json`, a number).
 * The bridge sampler sets it on every span; the propagator reads it back from the span that injects, so the head
 * DSC's `sample_rate` is the same number.
 */
import { trace, type Context } from '@opentelemetry/api';

export const ATTR_SENTRY_CLIENT_SAMPLE_RATE = 'sentry.client_sample_rate';

/** A rate in [0, 1] from a number or a DSC string (`"0.25"`), else `undefined`. */
export function parseRate(value: unknown): number | undefined {
  const rate = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : undefined;
}

/**
 * The rate recorded on the span in `ctx` (an SDK span exposes its attributes as a ReadableSpan), or `undefined`
 * for a remote parent, a non-recording span or a span the bridge sampler did not decide. Never throws.
 */
export function spanSampleRate(ctx: Context): number | undefined {
  try {
    const span = trace.getSpan(ctx) as { attributes?: Record<string, unknown> } | undefined;
    const attributes = span?.attributes;
    return typeof attributes === 'object' && attributes !== null ? parseRate(attributes[ATTR_SENTRY_CLIENT_SAMPLE_RATE]) : undefined;
  } catch {
    return undefined;
  }
}
