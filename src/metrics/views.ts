/**
 * Views for the bridge's SDK instruments on the Prometheus meter provider — its self metrics (src/self-metrics.ts);
 * the span-derived metrics bypass the SDK (src/metrics/span-metrics-store.ts). One view per instrument (a
 * wildcard view next to a more specific one would create two streams), each with the SDK's per-collection
 * `aggregationCardinalityLimit` plus the lifetime guard of ./cardinality.ts. Their instrument names already are
 * the Prometheus names once the exporter turns '.' into '_', and they are counters: no rename, no buckets.
 * Instruments without a view (e.g. the host's own) get the reader's limit (exporters/prometheus.ts).
 */
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { createCardinalityGuard, DEFAULT_CARDINALITY_LIMIT } from './cardinality.js';
import { METER_NAME, SELF_METRICS, type MetricSpec } from './catalog.js';

export function createBridgeMetricViews(cardinalityLimit: number = DEFAULT_CARDINALITY_LIMIT): ViewOptions[] {
  const limit = Math.max(1, Math.floor(cardinalityLimit));
  return Object.values(SELF_METRICS).map(
    (spec: MetricSpec): ViewOptions => ({
      instrumentName: spec.instrument,
      meterName: METER_NAME,
      aggregationCardinalityLimit: limit,
      attributesProcessors: [createCardinalityGuard(limit)],
    }),
  );
}

/**
 * `@hono/otel`'s middleware records `http.server.request.duration` and `http.server.active.requests` itself; the
 * HTTP instrumentation already records the same request (with Hono's route, handed over by
 * src/processors/framework-spans.ts), so its copies — a second series per request under another scope — are dropped.
 */
export function createDuplicateHttpMetricViews(): ViewOptions[] {
  return [{ meterName: '@hono/otel', aggregation: { type: AggregationType.DROP } }];
}
