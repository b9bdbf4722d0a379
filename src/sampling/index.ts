/**
 * The bridge's sampler: AlwaysRecord( health → ParentBased( rules → ratio ) ), as one sampler.
 *
 * AlwaysRecord keeps every span recorded, so span-metrics and error capture see 100 % of operations while only
 * sampled spans reach the exporters (the BatchSpanProcessor exports sampled spans only).
 * A remote parent that arrived without a sampled flag (a sentry-trace header with no `-0`/`-1`) defers to the
 * local root decision instead of being treated as "not sampled".
 * Every decision records the rate that made it as `sentry.client_sample_rate` (see rate-sampler.ts and
 * inherited-rate.ts): a root's rule or ratio (always_on = 1, always_off = 0), a child's inherited trace rate.
 *
 * One class rather than the SDK's AlwaysRecord and ParentBased samplers wrapped around ours: one call per span instead
 * of four, the parent's context read once. What that saves is within the noise: ~85–100 ns per call either way in a
 * loop over root and child spans, the same ~0.26 µs per span timed in place (`npm run bench`, part `processors`),
 * 0.17–0.49 µs per agent step in one process alternating blocks (2 runs). The decisions are the SDK's, step for step:
 * `ParentBasedSampler.shouldSample` (sdk-trace 3.1 sampler/ParentBasedSampler.mjs) and `createAlwaysRecordSampler`
 * (sampler/AlwaysRecordSampler.mjs); test/unit/sampling/sampler.test.ts compares them on every kind of parent.
 */
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { TraceFlags, isSpanContextValid, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import type { BridgeConfig } from '../config.js';
import { isSamplingDeferred } from '../propagation/index.js';
import { isHealthRoute } from './health-route.js';
import { InheritedRateSampler } from './inherited-rate.js';
import { RateSampler } from './rate-sampler.js';
import { RuleSampler } from './rule-sampler.js';

export { isHealthRoute } from './health-route.js';
export { inheritedRate } from './inherited-rate.js';

/** What AlwaysRecord makes of a health route's NOT_RECORD: recorded, no attributes. */
const HEALTH_ROUTE: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });

class BridgeSampler implements Sampler {
  private readonly inheritSampled = new InheritedRateSampler(true);
  private readonly inheritNotSampled = new InheritedRateSampler(false);
  /** The last NOT_RECORD result seen and what AlwaysRecord made of it: the samplers return shared results. */
  private lastDropped: SamplingResult | undefined;
  private lastRecorded: SamplingResult | undefined;

  constructor(
    private readonly root: Sampler,
    /** Whether a parent decides (ParentBased), or `root` decides for every span. */
    private readonly parentBased: boolean,
  ) {}

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (isHealthRoute(spanName, attributes)) return HEALTH_ROUTE;
    return this.recorded(this.decide(context, traceId, spanName, spanKind, attributes, links));
  }

  private decide(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = this.parentBased ? trace.getSpanContext(context) : undefined;
    if (parent === undefined || !isSpanContextValid(parent)) return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if ((parent.traceFlags & TraceFlags.SAMPLED) !== 0) return this.inheritSampled.shouldSample(context);
    // A remote parent without a sampled flag: the root sampler decides when sampling was deferred.
    if (parent.isRemote && isSamplingDeferred(context)) return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    return this.inheritNotSampled.shouldSample(context);
  }

  /** AlwaysRecord: NOT_RECORD becomes RECORD, with the same attributes and trace state. */
  private recorded(result: SamplingResult): SamplingResult {
    if (result.decision !== SamplingDecision.NOT_RECORD) return result;
    if (result !== this.lastDropped || this.lastRecorded === undefined) {
      this.lastRecorded = Object.freeze({ decision: SamplingDecision.RECORD, attributes: result.attributes, traceState: result.traceState });
      this.lastDropped = result;
    }
    return this.lastRecorded;
  }

  toString(): string {
    const decision = this.parentBased ? `ParentBased{root=${this.root.toString()}}` : this.root.toString();
    return `AlwaysRecord{HealthRoute{${decision}}}`;
  }
}

function explicitSampler(name: NonNullable<BridgeConfig['sampling']['explicit']>): Sampler {
  switch (name.name) {
    case 'always_on':
      return new BridgeSampler(new RateSampler(1), false);
    case 'always_off':
      return new BridgeSampler(new RateSampler(0), false);
    case 'traceidratio':
      return new BridgeSampler(new RateSampler(name.arg ?? 1), false);
    case 'parentbased_always_on':
      return new BridgeSampler(new RateSampler(1), true);
    case 'parentbased_always_off':
      return new BridgeSampler(new RateSampler(0), true);
    case 'parentbased_traceidratio':
      return new BridgeSampler(new RateSampler(name.arg ?? 1), true);
  }
}

export function createBridgeSampler(sampling: BridgeConfig['sampling']): Sampler {
  return sampling.explicit !== undefined ? explicitSampler(sampling.explicit) : new BridgeSampler(new RuleSampler(sampling.rootRate, sampling.rules), true);
}
