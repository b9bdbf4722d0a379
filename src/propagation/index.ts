/**
 * Propagation: traceparent/tracestate, sentry-trace and ONE baggage header carrying user members and
 * the Sentry DSC. See docs/propagation.md.
 */
export {
  createPropagator,
  isSupportedPropagatorName,
  DEFAULT_PROPAGATOR_NAMES,
  SUPPORTED_PROPAGATOR_NAMES,
  type PropagatorOptions,
  type SupportedPropagatorName,
} from './factory.js';
export { SentryPropagator, type SentryPropagatorOptions } from './sentry-propagator.js';
export { SentryTracePropagator, type SentryTracePropagatorOptions } from './sentry-trace-propagator.js';
export { BaggagePropagator, type BaggagePropagatorOptions } from './baggage-propagator.js';
export { TraceContextPropagator } from './trace-context-propagator.js';
export { isSamplingDeferred } from './deferred-sampling.js';
export {
  createHeadDsc,
  getDynamicSamplingContext,
  incomingSampleRand,
  orgIdFromDsn,
  resolveDynamicSamplingContext,
  type DscOptions,
  type DynamicSamplingContext,
} from './dsc.js';
export { ATTR_SENTRY_CLIENT_SAMPLE_RATE, parseRate, spanSampleRate } from './client-sample-rate.js';
export { sampleRandForDecision, sampleRandFromTraceId } from './sample-rand.js';
export { formatSentryTrace, parseSentryTrace, SENTRY_TRACE_HEADER, type SentryTraceData } from './sentry-trace.js';
export { BAGGAGE_HEADER } from './baggage-codec.js';
export * from './limits.js';
export { localRootTransaction } from './local-roots.js';
