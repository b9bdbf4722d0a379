/**
 * "Sampling deferred": a remote parent that arrived in a sentry-trace header without a sampled flag. Its span context
 * carries `TraceFlags.NONE` (OTel has no "unknown" flag), so a plain ParentBased sampler would drop the trace; the
 * bridge sampler asks `isSamplingDeferred(ctx)` and makes a root-style decision instead.
 *
 * The marker remembers which remote span it belongs to, so it answers `true` only while that very remote span is the
 * parent in `ctx` — not for local children further down, nor after another extraction replaced the parent.
 */
import { createContextKey, trace, type Context, type SpanContext } from '@opentelemetry/api';

const DEFERRED_PARENT = createContextKey('agent-otel-bridge.propagation.deferred-sampling');

interface DeferredParent {
  readonly traceId: string;
  readonly spanId: string;
}

export function markSamplingDeferred(ctx: Context, remoteParent: SpanContext): Context {
  const marker: DeferredParent = { traceId: remoteParent.traceId, spanId: remoteParent.spanId };
  return ctx.setValue(DEFERRED_PARENT, marker);
}

/** True when the parent span context in `ctx` is a remote parent whose sampled flag was absent. Never throws. */
export function isSamplingDeferred(ctx: Context): boolean {
  try {
    const marker = ctx.getValue(DEFERRED_PARENT) as DeferredParent | undefined;
    if (marker === undefined) return false;
    const parent = trace.getSpanContext(ctx);
    return parent?.isRemote === true && parent.traceId === marker.traceId && parent.spanId === marker.spanId;
  } catch {
    return false;
  }
}
