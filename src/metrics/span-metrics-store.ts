/**
 * Pre-aggregated, cumulative span metrics, handed to the Prometheus reader as a MetricProducer.
 *
 * Why not SDK instruments: every span feeds 1–4 points, and `Histogram.record(value, attributes)` hashes the
 * attribute set (sdk-metrics `hashAttributes` + HashMap + delta processor), while the lifetime cardinality bound
 * (the SDK limit only counts series within one collection) had to hash it a second time. That was the largest
 * share of the bridge's per-span cost in `npm run bench` (bench/README.md). Here a series is found by walking one
 * Map per label with the values the processor already holds, in a fixed order per metric: no key is built, so
 * nothing is allocated or hashed per point (the values' hashes are cached by V8 after their first lookup). Its
 * attributes object is built once, when the series is created. Scrapes read cumulative values, as the SDK
 * reported them before.
 *
 * Bound: at most `limit` series per metric, the last one being the SDK's own overflow series
 * `{ otel.metric.overflow: true }`; measurements beyond the bound are counted there, never lost.
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import type {
  AggregationTemporality,
  CollectionResult,
  DataPoint,
  DataPointType,
  Histogram as HistogramValue,
  MetricData,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { emptyResource } from '@opentelemetry/resources';
import { DEFAULT_CARDINALITY_LIMIT, OVERFLOW_ATTRIBUTES, seriesCapacity } from './cardinality.js';
import { METER_NAME, type MetricSpec } from './catalog.js';

/**
 * The values of sdk-metrics' `AggregationTemporality.CUMULATIVE` and `DataPointType` members this store reports,
 * copied: the preload makes the store before the metrics SDK is loaded (instrumentation/bridge.ts, issue 18), so it
 * imports the package's types only. test/unit/metrics/span-metrics.test.ts checks them against the package.
 */
export const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;
export const HISTOGRAM = 0 as DataPointType.HISTOGRAM;
export const GAUGE = 2 as DataPointType.GAUGE;
export const SUM = 3 as DataPointType.SUM;

/** Label values in the metric's key order; `undefined` leaves the label out of the series. */
export type LabelValues = ReadonlyArray<string | undefined>;

interface Series<S> {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly state: S;
}

/** One level per label: the value (`undefined` = label absent) leads to the next level, the last to a series. */
type Level<S> = Map<string | undefined, Level<S> | Series<S>>;

/** One metric's series, keyed by their label values. */
abstract class SeriesTable<S> {
  private readonly root: Level<S> = new Map();
  /** Every series in creation order (what a collection reads), the overflow series included. */
  private readonly all: Array<Series<S>> = [];
  private overflowSeries: Series<S> | undefined;
  /**
   * The level reached by the last lookup and the values that led there: one span records several points that
   * differ only in their last label (input/output tokens) or not at all (duration, time to first chunk), and
   * consecutive spans mostly share agent/model, so most lookups compare a few strings and do one Map get.
   */
  private lastLevel: Level<S> | undefined;
  private readonly lastPrefix: Array<string | undefined> = [];

  constructor(
    readonly spec: MetricSpec,
    private readonly labelKeys: readonly string[],
    private readonly capacity: number,
  ) {}

  protected seriesFor(values: LabelValues): S {
    const last = values.length - 1;
    let level = this.lastLevel;
    if (level === undefined || !startsWith(values, this.lastPrefix, last)) {
      level = this.root;
      for (let i = 0; i < last; i++) {
        const next = level.get(values[i]) as Level<S> | undefined;
        if (next === undefined) return this.createdUnder(level, values, i);
        level = next;
      }
      this.lastLevel = level;
      for (let i = 0; i < last; i++) this.lastPrefix[i] = values[i];
    }
    const found = level.get(values[last]) as Series<S> | undefined;
    return found !== undefined ? found.state : this.createdUnder(level, values, last);
  }

  /** Point-in-time copies of every series (the exporter serializes after collect resolves). */
  dataPoints<V>(endTime: HrTime, read: (state: S) => V): Array<DataPoint<V>> {
    const points: Array<DataPoint<V>> = [];
    for (const s of this.all) points.push({ startTime: s.startTime, endTime, attributes: s.attributes, value: read(s.state) });
    return points;
  }

  protected abstract initial(): S;

  /** A new series for `values`, whose levels exist down to `level` (depth `depth`); the overflow one when full. */
  private createdUnder(level: Level<S>, values: LabelValues, depth: number): S {
    if (this.all.length - (this.overflowSeries === undefined ? 0 : 1) >= this.capacity) return this.overflow();
    const last = values.length - 1;
    for (let i = depth; i < last; i++) {
      const next: Level<S> = new Map();
      level.set(values[i], next);
      level = next;
    }
    const s = this.created(this.attributesOf(values));
    level.set(values[last], s);
    return s.state;
  }

  private overflow(): S {
    this.overflowSeries ??= this.created(OVERFLOW_ATTRIBUTES);
    return this.overflowSeries.state;
  }

  private created(attributes: Attributes): Series<S> {
    const s: Series<S> = { attributes, startTime: hrTime(), state: this.initial() };
    this.all.push(s);
    return s;
  }

  private attributesOf(values: LabelValues): Attributes {
    const attributes: Attributes = {};
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const key = this.labelKeys[i];
      if (value !== undefined && key !== undefined) attributes[key] = value;
    }
    return attributes;
  }
}

/** The first `length` values of `values` are those of `prefix` (label values are shared normalised strings). */
function startsWith(values: LabelValues, prefix: ReadonlyArray<string | undefined>, length: number): boolean {
  for (let i = 0; i < length; i++) if (values[i] !== prefix[i]) return false;
  return true;
}

interface HistogramState {
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

export class PreAggregatedHistogram extends SeriesTable<HistogramState> {
  private readonly boundaries: readonly number[];

  constructor(spec: MetricSpec, labelKeys: readonly string[], capacity: number) {
    super(spec, labelKeys, capacity);
    this.boundaries = spec.buckets ?? [];
  }

  record(value: number, labels: LabelValues): void {
    const s = this.seriesFor(labels);
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && value > b[i]!) i++; // `le` semantics: a value equal to a boundary counts in that bucket
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity };
  }

  collect(endTime: HrTime): MetricData | undefined {
    const boundaries = [...this.boundaries]; // one copy per collection, shared by its points (nobody mutates it)
    const dataPoints = this.dataPoints<HistogramValue>(endTime, (s) => ({
      buckets: { boundaries, counts: [...s.counts] },
      sum: s.sum,
      count: s.count,
      min: s.min,
      max: s.max,
    }));
    if (dataPoints.length === 0) return undefined;
    return { descriptor: descriptorOf(this.spec), aggregationTemporality: CUMULATIVE, dataPointType: HISTOGRAM, dataPoints };
  }
}

export class PreAggregatedCounter extends SeriesTable<{ value: number }> {
  add(value: number, labels: LabelValues): void {
    this.seriesFor(labels).value += value;
  }

  protected initial(): { value: number } {
    return { value: 0 };
  }

  collect(endTime: HrTime): MetricData | undefined {
    return monotonicSum(this.spec, this.dataPoints(endTime, (s) => s.value));
  }
}

/** A cumulative monotonic sum (Prometheus `counter`), or nothing without points. */
function monotonicSum(spec: MetricSpec, dataPoints: Array<DataPoint<number>>): MetricData | undefined {
  if (dataPoints.length === 0) return undefined;
  return { descriptor: descriptorOf(spec), aggregationTemporality: CUMULATIVE, dataPointType: SUM, isMonotonic: true, dataPoints };
}

/**
 * A counter of fixed-point amounts (money): each series keeps whole units and an integer remainder in
 * 1/`scale` units, so a sum of exact integer increments stays exact however many are added, and the value a
 * scrape reads is rounded once (whole + remainder / scale) instead of accumulating float error per addition.
 */
export class FixedPointCounter extends SeriesTable<{ whole: number; fraction: number }> {
  constructor(
    spec: MetricSpec,
    labelKeys: readonly string[],
    capacity: number,
    /** Sub-units per unit; `addUnits` takes whole sub-units. */
    readonly scale: number,
  ) {
    super(spec, labelKeys, capacity);
  }

  /** Add `subUnits` (a non-negative integer below 2^53 − scale) to the series of `labels`. */
  addUnits(subUnits: number, labels: LabelValues): void {
    const s = this.seriesFor(labels);
    s.fraction += subUnits;
    if (s.fraction >= this.scale) {
      const carry = Math.floor(s.fraction / this.scale);
      s.whole += carry;
      s.fraction -= carry * this.scale;
    }
  }

  protected initial(): { whole: number; fraction: number } {
    return { whole: 0, fraction: 0 };
  }

  collect(endTime: HrTime): MetricData | undefined {
    return monotonicSum(this.spec, this.dataPoints(endTime, (s) => s.whole + s.fraction / this.scale));
  }
}

/** The state of one gauge series: callers move `value` up and down directly (no lookup per change). */
export interface GaugeCell {
  value: number;
}

/** A gauge (Prometheus `gauge`): current values, e.g. invocations in flight. */
export class PreAggregatedGauge extends SeriesTable<GaugeCell> {
  /** The cell of `labels`' series (created at 0), for the caller to add to and subtract from. */
  cell(labels: LabelValues): GaugeCell {
    return this.seriesFor(labels);
  }

  protected initial(): GaugeCell {
    return { value: 0 };
  }

  collect(endTime: HrTime): MetricData | undefined {
    const dataPoints = this.dataPoints(endTime, (s) => s.value);
    if (dataPoints.length === 0) return undefined;
    return { descriptor: descriptorOf(this.spec), aggregationTemporality: CUMULATIVE, dataPointType: GAUGE, dataPoints };
  }
}

type Collectable = PreAggregatedHistogram | PreAggregatedCounter | FixedPointCounter | PreAggregatedGauge;

/** The span metrics of one process: create metrics, record into them, let the reader collect them. */
export class SpanMetricsStore implements MetricProducer {
  private readonly metrics: Collectable[] = [];
  /** Run before every collection, e.g. to retire in-flight invocations that are too old (never throw). */
  private readonly beforeCollect: Array<() => void> = [];
  private readonly capacity: number;

  /** @param limit series per metric, the overflow series included (AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT). */
  constructor(limit: number = DEFAULT_CARDINALITY_LIMIT) {
    this.capacity = seriesCapacity(limit);
  }

  histogram(spec: MetricSpec, labelKeys: readonly string[]): PreAggregatedHistogram {
    return this.registered(new PreAggregatedHistogram(spec, labelKeys, this.capacity));
  }

  counter(spec: MetricSpec, labelKeys: readonly string[]): PreAggregatedCounter {
    return this.registered(new PreAggregatedCounter(spec, labelKeys, this.capacity));
  }

  fixedPointCounter(spec: MetricSpec, labelKeys: readonly string[], scale: number): FixedPointCounter {
    return this.registered(new FixedPointCounter(spec, labelKeys, this.capacity, scale));
  }

  gauge(spec: MetricSpec, labelKeys: readonly string[]): PreAggregatedGauge {
    return this.registered(new PreAggregatedGauge(spec, labelKeys, this.capacity));
  }

  /** `hook` runs at the start of every collection, so what it updates is current in that scrape. */
  onCollect(hook: () => void): void {
    this.beforeCollect.push(hook);
  }

  private registered<M extends Collectable>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  collect(): Promise<CollectionResult> {
    for (const hook of this.beforeCollect) {
      try {
        hook();
      } catch {
        // A hook is bookkeeping for one metric; the scrape goes on with what is there.
      }
    }
    const endTime = hrTime();
    const metrics: MetricData[] = [];
    for (const m of this.metrics) {
      const data = m.collect(endTime);
      if (data !== undefined) metrics.push(data);
    }
    // The reader keeps its own resource and only takes scopeMetrics from producers.
    return Promise.resolve({ resourceMetrics: { resource: emptyResource(), scopeMetrics: metrics.length ? [{ scope: { name: METER_NAME }, metrics }] : [] }, errors: [] });
  }
}

function descriptorOf(spec: MetricSpec): MetricData['descriptor'] {
  // The Prometheus name directly: the exporter only turns '.' into '_' and adds `_total` to monotonic sums.
  return { name: spec.prometheus, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE };
}
