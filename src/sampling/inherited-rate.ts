/**
 * A decision inherited from a parent's sampled flag, recorded with the rate that decided the trace: what Sentry
 * SDKs call the parent sample rate (@sentry/core `tracing/sampling.js`, `inheritOrSampleWith`).
 *
 * - a local parent: the rate on that span (the bridge sampler put it there);
 * - a remote parent: the `sample_rate` of the trace's incoming DSC, i.e. the head's rate;
 * - neither known (a traceparent-only or `sentry-trace`-only parent): `1` for sampled and `0` for not, as
 *   @sentry/core does with a bare parent decision (`parseSampleRate(parentSampled)`) — Relay then counts the
 *   span once instead of guessing a factor.
 */
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { Context } from '@opentelemetry/api';
import { ATTR_SENTRY_CLIENT_SAMPLE_RATE, getDynamicSamplingContext, parseRate, spanSampleRate } from '../propagation/index.js';

export function inheritedRate(ctx: Context, sampled: boolean): number {
  return spanSampleRate(ctx) ?? parseRate(getDynamicSamplingContext(ctx)?.sample_rate) ?? (sampled ? 1 : 0);
}

export class InheritedRateSampler implements Sampler {
  private readonly decision: SamplingDecision;

  constructor(private readonly sampled: boolean) {
    this.decision = sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD;
  }

  shouldSample(context: Context): SamplingResult {
    return { decision: this.decision, attributes: { [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: inheritedRate(context, this.sampled) } };
  }

  toString(): string {
    return this.sampled ? 'InheritSampled' : 'InheritNotSampled';
  }
}
