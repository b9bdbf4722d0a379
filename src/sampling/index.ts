/**
 * The bridge's sampler: AlwaysRecord( health → ParentBased( rules → ratio ) ).
 *
 * AlwaysRecord keeps every span recorded, so span-metrics and error capture see 100 % of operations while only
 * sampled spans reach the exporters (the BatchSpanProcessor exports sampled spans only).
 * A remote parent that arrived without a sampled flag (a sentry-trace header with no `-0`/`-1`) defers to the
 * local root decision instead of being treated as "not sampled".
 * Every decision records the rate that made it as `sentry.client_sample_rate` (see rate-sampler.ts and
 * inherited-rate.ts): a root's rule or ratio (always_on = 1, always_off = 0), a child's inherited trace rate.
 */
import { ParentBasedSampler, createAlwaysRecordSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import type { BridgeConfig } from '../config.js';
import { isSamplingDeferred } from '../propagation/index.js';
import { HealthRouteSampler } from './health-route.js';
import { InheritedRateSampler } from './inherited-rate.js';
import { RateSampler } from './rate-sampler.js';
import { RuleSampler } from './rule-sampler.js';

export { isHealthRoute } from './health-route.js';
export { inheritedRate } from './inherited-rate.js';

const INHERIT_SAMPLED = new InheritedRateSampler(true);
const INHERIT_NOT_SAMPLED = new InheritedRateSampler(false);

/** For a remote parent without a sampled flag: the root sampler decides when sampling was deferred. */
class DeferredRemoteParentSampler implements Sampler {
  constructor(private readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const delegate = isSamplingDeferred(context) ? this.root : INHERIT_NOT_SAMPLED;
    return delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `DeferredRemoteParent{${this.root.toString()}}`;
  }
}

function parentBased(root: Sampler): Sampler {
  return new ParentBasedSampler({
    root,
    remoteParentSampled: INHERIT_SAMPLED,
    remoteParentNotSampled: new DeferredRemoteParentSampler(root),
    localParentSampled: INHERIT_SAMPLED,
    localParentNotSampled: INHERIT_NOT_SAMPLED,
  });
}

function explicitSampler(name: NonNullable<BridgeConfig['sampling']['explicit']>): Sampler {
  const ratio = new RateSampler(name.arg ?? 1);
  switch (name.name) {
    case 'always_on':
      return new RateSampler(1);
    case 'always_off':
      return new RateSampler(0);
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return parentBased(new RateSampler(1));
    case 'parentbased_always_off':
      return parentBased(new RateSampler(0));
    case 'parentbased_traceidratio':
      return parentBased(ratio);
  }
}

export function createBridgeSampler(sampling: BridgeConfig['sampling']): Sampler {
  const decision =
    sampling.explicit !== undefined
      ? explicitSampler(sampling.explicit)
      : parentBased(new RuleSampler(sampling.rootRate, sampling.rules));
  return createAlwaysRecordSampler(new HealthRouteSampler(decision));
}
