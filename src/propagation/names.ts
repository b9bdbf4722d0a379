/** The `OTEL_PROPAGATORS` vocabulary: one list, read by the config parser and the propagator factory. */
export const SUPPORTED_PROPAGATOR_NAMES = ['tracecontext', 'baggage', 'sentry', 'none'] as const;
export type SupportedPropagatorName = (typeof SUPPORTED_PROPAGATOR_NAMES)[number];
export const DEFAULT_PROPAGATOR_NAMES: readonly SupportedPropagatorName[] = ['tracecontext', 'baggage', 'sentry'];

export function isSupportedPropagatorName(name: string): name is SupportedPropagatorName {
  return (SUPPORTED_PROPAGATOR_NAMES as readonly string[]).includes(name);
}
