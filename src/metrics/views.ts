/**
 * Views for the bridge's SDK instruments on the Prometheus meter provider — its self metrics (src/self-metrics.ts);
 * the span-derived metrics bypass the SDK (src/metrics/span-metrics-store.ts). One view per instrument (a
 * wildcard view next to a renaming view would create two streams), each with
 *  - the `_seconds` Prometheus name for second-based histograms (the exporter does not add unit suffixes),
 *  - the explicit bucket boundaries of the catalog,
 *  - the SDK's per-collection `aggregationCardinalityLimit` plus the lifetime guard of ./cardinality.ts.
 * Instruments without a view (e.g. the host's own) get the reader's limit (exporters/prometheus.ts).
 */
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { createCardinalityGuard, DEFAULT_CARDINALITY_LIMIT } from './cardinality.js';
import { METER_NAME, METRICS, type MetricSpec } from './catalog.js';

export function createBridgeMetricViews(cardinalityLimit: number = DEFAULT_CARDINALITY_LIMIT): ViewOptions[] {
  const limit = Math.max(1, Math.floor(cardinalityLimit));
  return [METRICS.bridgeSpans, METRICS.bridgeSentryEvents].map((spec: MetricSpec): ViewOptions => {
    const view: ViewOptions = {
      instrumentName: spec.instrument,
      meterName: METER_NAME,
      aggregationCardinalityLimit: limit,
      attributesProcessors: [createCardinalityGuard(limit)],
    };
    // View names are OTel instrument names; the exporter turns '.' into '_'.
    if (spec.instrument.replaceAll('.', '_') !== spec.prometheus) view.name = spec.prometheus;
    if (spec.buckets !== undefined) {
      view.aggregation = { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...spec.buckets] } };
    }
    return view;
  });
}
