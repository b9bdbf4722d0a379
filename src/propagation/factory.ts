/**
 * `createPropagator(names, options)`: the composite for `OTEL_PROPAGATORS`.
 *
 * - Names are trimmed and lower-cased; an empty list means the default `tracecontext,baggage,sentry`.
 * - `none` anywhere disables propagation (as in @opentelemetry/sdk-node).
 * - Unknown names are ignored with one warning, like sdk-node; the config module rejects them earlier, and
 *   telemetry setup must not throw into the host.
 * - The order of names does not matter: extraction always runs traceparent → sentry-trace → baggage (a valid
 *   traceparent wins; the DSC binds to the parent chosen), and no two parts write the same field.
 * - `baggage` + `sentry` → ONE baggage owner (the Sentry propagator with user members), never two writers.
 */
import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator } from '@opentelemetry/core';
import { warnOnce } from '../log.js';
import { BaggagePropagator } from './baggage-propagator.js';
import type { DscOptions } from './dsc.js';
import { SentryPropagator } from './sentry-propagator.js';
import { TraceContextPropagator } from './trace-context-propagator.js';

import { DEFAULT_PROPAGATOR_NAMES, isSupportedPropagatorName } from './names.js';

export { DEFAULT_PROPAGATOR_NAMES, SUPPORTED_PROPAGATOR_NAMES, isSupportedPropagatorName, type SupportedPropagatorName } from './names.js';

export interface PropagatorOptions {
  /** Fields of the DSC this process creates when it is the head of a trace. */
  dsc: DscOptions;
}


export function createPropagator(names: readonly string[], options: PropagatorOptions): TextMapPropagator {
  let requested = names.map((name) => String(name).trim().toLowerCase()).filter((name) => name !== '');
  if (requested.length === 0) requested = [...DEFAULT_PROPAGATOR_NAMES];
  for (const name of requested) {
    if (!isSupportedPropagatorName(name)) warnOnce(`propagator-${name}`, `unknown propagator "${name}" in OTEL_PROPAGATORS ignored`);
  }
  const enabled = new Set(requested.filter(isSupportedPropagatorName));
  if (enabled.has('none')) return new CompositePropagator({ propagators: [] });

  const propagators: TextMapPropagator[] = [];
  if (enabled.has('tracecontext')) propagators.push(new TraceContextPropagator());
  if (enabled.has('sentry')) {
    propagators.push(
      new SentryPropagator({
        dsc: { ...options.dsc },
        userBaggage: enabled.has('baggage'),
        yieldToTraceparent: enabled.has('tracecontext'),
      }),
    );
  } else if (enabled.has('baggage')) {
    propagators.push(new BaggagePropagator({ userMembers: true }));
  }
  return new CompositePropagator({ propagators });
}
