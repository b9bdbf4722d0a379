/**
 * The bridge's sampler (DESIGN §5): AlwaysRecord( health → ParentBased( rules → ratio ) ).
 *
 * AlwaysRecord keeps every span recorded, so span-metrics and error capture see 100 % of operations while only
 * sampled spans reach the exporters (the BatchSpanProcessor exports sampled spans only).
 * A remote parent that arrived without a sampled flag (a sentry-trace header with no `-0`/`-1`) defers to the
 * local root decision instead of being treated as "not sampled".
 */
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  createAlwaysRecordSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import type { BridgeConfig } from '../config.js';
import { isSamplingDeferred } from '../propagation/index.js';
import { HealthRouteSampler } from './health-route.js';
import { RuleSampler, ratioSampler } from './rule-sampler.js';

export { isHealthRoute } from './health-route.js';

/** For a remote parent without a sampled flag: the root sampler decides when sampling was deferred. */
class DeferredRemoteParentSampler implements Sampler {
  private readonly off = new AlwaysOffSampler();
  constructor(private readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const delegate = isSamplingDeferred(context) ? this.root : this.off;
    return delegate.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `DeferredRemoteParent{${this.root.toString()}}`;
  }
}

function parentBased(root: Sampler): Sampler {
  return new ParentBasedSampler({ root, remoteParentNotSampled: new DeferredRemoteParentSampler(root) });
}

function explicitSampler(name: NonNullable<BridgeConfig['sampling']['explicit']>): Sampler {
  const ratio = ratioSampler(name.arg ?? 1);
  switch (name.name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler());
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
