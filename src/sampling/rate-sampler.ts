/**
 * A root decision at one rate, recorded on the span as `sentry.client_sample_rate` (the rate that decided).
 *
 * The decision is the SDK's TraceIdRatioBasedSampler (AlwaysOn / AlwaysOff at exactly 1 / 0: same answer, no hash
 * per span), so it stays a pure function of the trace id and agrees with the DSC's trace-id `sample_rand`. When
 * the trace arrived with a DSC carrying `sample_rand` (a deferred decision), Sentry's rule applies instead:
 * sampled iff `sample_rand < rate` (getsentry/sentry-docs `develop-docs/sdk/telemetry/traces/index.mdx`,
 * "Propagated Random Value"), so the frozen DSC and this decision agree.
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE, incomingSampleRand } from '../propagation/index.js';

export class RateSampler implements Sampler {
  private readonly ratio: Sampler;
  private readonly sampled: SamplingResult;
  private readonly dropped: SamplingResult;

  constructor(readonly rate: number) {
    this.ratio = ratioSampler(rate);
    // Shared, never mutated: the tracer only copies them into the span's attributes.
    const attributes = Object.freeze({ [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: rate });
    this.sampled = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED, attributes });
    this.dropped = Object.freeze({ decision: SamplingDecision.NOT_RECORD, attributes });
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const rand = incomingSampleRand(context);
    const sampled =
      rand !== undefined
        ? rand < this.rate
        : this.ratio.shouldSample(context, traceId, spanName, spanKind, attributes, links).decision === SamplingDecision.RECORD_AND_SAMPLED;
    return sampled ? this.sampled : this.dropped;
  }

  toString(): string {
    return `Rate{${this.rate}}`;
  }
}

/**
 * The SDK's ratio sampler, except at the ends: at 1 (or 0) it would still hash the trace id of every span to
 * reach a foregone decision, which showed in the per-span profile.
 */
export function ratioSampler(ratio: number): Sampler {
  if (ratio >= 1) return new AlwaysOnSampler();
  if (ratio <= 0) return new AlwaysOffSampler();
  return new TraceIdRatioBasedSampler(ratio);
}
