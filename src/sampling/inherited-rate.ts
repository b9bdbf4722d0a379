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
  /**
   * The result for the last rate seen, shared: a process's traces carry one or a few rates, and every child span
   * asked for a result and an attributes object of its own. Frozen, as RateSampler's: the tracer only copies them.
   */
  private last: SamplingResult | undefined;
  private lastRate = NaN;

  constructor(private readonly sampled: boolean) {
    this.decision = sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD;
  }

  shouldSample(context: Context): SamplingResult {
    const rate = inheritedRate(context, this.sampled);
    if (rate !== this.lastRate || this.last === undefined) {
      this.last = Object.freeze({ decision: this.decision, attributes: Object.freeze({ [ATTR_SENTRY_CLIENT_SAMPLE_RATE]: rate }) });
      this.lastRate = rate;
    }
    return this.last;
  }

  toString(): string {
    return this.sampled ? 'InheritSampled' : 'InheritNotSampled';
  }
}
