import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DataPointType, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { METRICS } from '../../../src/metrics/catalog.js';
import { SpanMetricsStore } from '../../../src/metrics/span-metrics-store.js';

async function collected(store: SpanMetricsStore): Promise<MetricData[]> {
  const { resourceMetrics, errors } = await store.collect();
  expect(errors).toEqual([]);
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
}

describe('SpanMetricsStore', () => {
  it('keeps one series per label tuple, leaves undefined labels out, never merges look-alike tuples', async () => {
    const store = new SpanMetricsStore(100);
    const c = store.counter(METRICS.errors, ['a', 'b']);
    c.add(1, ['x:', 'y']);
    c.add(1, ['x', ':y']);
    c.add(1, ['x', undefined]);
    c.add(2, ['x', undefined]);
    c.add(1, [undefined, 'x']);
    const [metric] = await collected(store);
    expect(metric?.descriptor.name).toBe('agent_errors');
    expect(metric?.dataPointType).toBe(DataPointType.SUM);
    expect(metric?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ a: 'x:', b: 'y' }, 1],
      [{ a: 'x', b: ':y' }, 1],
      [{ a: 'x' }, 3],
      [{ b: 'x' }, 1],
    ]);
  });

  it('counts a value equal to a boundary in that bucket (Prometheus `le`), tracks sum, count, min and max', async () => {
    const store = new SpanMetricsStore();
    const h = store.histogram({ ...METRICS.memoryResults, buckets: [0, 1, 5] }, ['op']);
    for (const v of [0, 1, 1, 3, 5, 9]) h.record(v, ['get']);
    const [metric] = await collected(store);
    const value = metric?.dataPoints[0]?.value as Histogram;
    expect(value.buckets).toEqual({ boundaries: [0, 1, 5], counts: [1, 2, 2, 1] });
    expect([value.sum, value.count, value.min, value.max]).toEqual([19, 6, 0, 9]);
  });

  it('bounds series at the limit with the SDK overflow series, losing no measurement', async () => {
    const store = new SpanMetricsStore(4);
    const c = store.counter(METRICS.errors, ['agent']);
    for (let i = 0; i < 100; i++) c.add(1, [`agent-${i}`]);
    const [metric] = await collected(store);
    expect(metric?.dataPoints).toHaveLength(4);
    expect(metric?.dataPoints.at(-1)?.attributes).toEqual({ 'otel.metric.overflow': true });
    expect(metric?.dataPoints.reduce((sum, p) => sum + (p.value as number), 0)).toBe(100);
  });

  it('hands out snapshots: recording after a collection does not change what was collected', async () => {
    const store = new SpanMetricsStore();
    const h = store.histogram(METRICS.operationDuration, ['model']);
    h.record(0.5, ['m']);
    const [before] = await collected(store);
    h.record(0.5, ['m']);
    expect((before?.dataPoints[0]?.value as Histogram).count).toBe(1);
    expect(((await collected(store))[0]?.dataPoints[0]?.value as Histogram).count).toBe(2);
  });

  it('reports nothing for metrics without series', async () => {
    const store = new SpanMetricsStore();
    store.histogram(METRICS.toolDuration, ['tool']);
    expect(await collected(store)).toEqual([]);
  });

  it('finds the right series whatever the order of lookups (the last-prefix shortcut never mixes series up)', async () => {
    // Small alphabets so consecutive tuples often share a prefix, differ only in the last label, or in the first.
    const value = fc.constantFrom('a', 'b', 'ab', undefined);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(value, value, value), { maxLength: 200 }), async (tuples) => {
        const store = new SpanMetricsStore(1000);
        const c = store.counter(METRICS.errors, ['x', 'y', 'z']);
        const expected = new Map<string, number>();
        for (const tuple of tuples) {
          c.add(1, tuple);
          const attributes = JSON.stringify(Object.fromEntries(['x', 'y', 'z'].flatMap((k, i) => (tuple[i] === undefined ? [] : [[k, tuple[i]]]))));
          expected.set(attributes, (expected.get(attributes) ?? 0) + 1);
        }
        const points = (await collected(store))[0]?.dataPoints ?? [];
        expect(new Map(points.map((p) => [JSON.stringify(p.attributes), p.value]))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
