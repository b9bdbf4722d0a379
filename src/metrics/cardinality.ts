/**
 * Lifetime cardinality bound for cumulative metrics.
 *
 * sdk-metrics 3.1 applies `aggregationCardinalityLimit` to the attribute sets seen *within one collection*
 * (DeltaMetricProcessor); with cumulative temporality (Prometheus) the reported series are merged across
 * collections, so every scrape admits up to `limit - 1` new series and the total grows without bound (verified:
 * limit 10, three scrapes of 8 + 8 + 20 new sets → 26 series). This view attributes processor keeps the set of
 * admitted attribute sets for its stream and maps any new set beyond `limit - 1` to the SDK's own overflow set
 * `{ otel.metric.overflow: true }`, so the exposition never holds more than `limit` series per metric and no
 * measurement is lost (it is counted in the overflow series).
 */
import type { Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';

/** The SDK's overflow attribute set (spec: `otel.metric.overflow=true`); Prometheus shows `otel_metric_overflow="true"`. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export const DEFAULT_CARDINALITY_LIMIT = 2000;

export interface CardinalityGuard extends IAttributesProcessor {
  /** Distinct non-overflow attribute sets admitted so far (≤ limit - 1). */
  readonly admitted: number;
  /** Measurements routed to the overflow set. */
  readonly overflowed: number;
}

/** Non-overflow series a metric may hold under `limit`: the overflow set takes one slot, as in the SDK. */
export function seriesCapacity(limit: number): number {
  return Math.max(1, Math.floor(limit)) - 1;
}

export function createCardinalityGuard(limit: number = DEFAULT_CARDINALITY_LIMIT): CardinalityGuard {
  const capacity = seriesCapacity(limit);
  const seen = new Set<string>();
  let overflowed = 0;
  return {
    process(incoming: Attributes): Attributes {
      if (incoming === OVERFLOW_ATTRIBUTES) return incoming;
      // Key in insertion order: our processors build attribute objects in a fixed key order; a foreign caller
      // using varying orders only reaches the limit sooner (never exceeds it).
      let key = '';
      for (const k in incoming) key += k + '\u0001' + String(incoming[k]) + '\u0002';
      if (seen.has(key)) return incoming;
      if (seen.size < capacity) {
        seen.add(key);
        return incoming;
      }
      overflowed++;
      return OVERFLOW_ATTRIBUTES;
    },
    get admitted() {
      return seen.size;
    },
    get overflowed() {
      return overflowed;
    },
  };
}
