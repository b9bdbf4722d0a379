// The global meter provider the preload sets before the metrics SDK is loaded (src/metrics/deferred-meter-provider.ts):
// every measurement made before binding reaches the SDK's instruments, in order; observables and batch callbacks
// registered before binding are collected after it; the span metrics store's copied enum values are the SDK's.
import { describe, expect, it } from 'vitest';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { DeferredMeterProvider } from '../../../src/metrics/deferred-meter-provider.js';
import { CUMULATIVE, GAUGE, HISTOGRAM, SUM } from '../../../src/metrics/span-metrics-store.js';

async function collect(reader: ReturnType<typeof createPrometheusMeterProvider>['reader']): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
}

const pointValues = (metric: MetricData | undefined) => (metric?.dataPoints ?? []).map((point) => ({ attributes: point.attributes, value: point.value }));

describe('DeferredMeterProvider', () => {
  it('replays every measurement made before binding, then forwards', async () => {
    const deferred = new DeferredMeterProvider();
    const meter = deferred.getMeter('app', '1.0');
    const counter = meter.createCounter('requests');
    const upDown = meter.createUpDownCounter('in_flight');
    const histogram = meter.createHistogram('duration', { unit: 's' });
    const gauge = meter.createGauge('temperature');
    for (let i = 0; i < 1000; i++) counter.add(1, { route: i % 2 === 0 ? '/a' : '/b' });
    upDown.add(3);
    upDown.add(-1);
    histogram.record(0.5);
    histogram.record(1.5);
    gauge.record(10);
    gauge.record(20); // the last value wins, as it would have

    const { meterProvider, reader } = createPrometheusMeterProvider();
    deferred.bind(meterProvider);
    counter.add(5, { route: '/a' });
    histogram.record(2);

    const metrics = await collect(reader);
    expect(pointValues(metrics.get('requests')).sort((x, y) => String(x.attributes.route).localeCompare(String(y.attributes.route)))).toEqual([
      { attributes: { route: '/a' }, value: 505 },
      { attributes: { route: '/b' }, value: 500 },
    ]);
    expect(pointValues(metrics.get('in_flight'))).toEqual([{ attributes: {}, value: 2 }]);
    expect(metrics.get('duration')?.descriptor.unit).toBe('s');
    expect(metrics.get('duration')?.dataPoints[0]?.value).toMatchObject({ count: 3, sum: 4, min: 0.5, max: 2 });
    expect(pointValues(metrics.get('temperature'))).toEqual([{ attributes: {}, value: 20 }]);
    expect(deferred.bound).toBe(true);
    await meterProvider.shutdown();
  });

  it('registers observable callbacks and batch callbacks made before binding; removed ones stay removed', async () => {
    const deferred = new DeferredMeterProvider();
    const meter = deferred.getMeter('app');
    const gauge = meter.createObservableGauge('queue_depth');
    const kept = (result: { observe(value: number): void }) => result.observe(7);
    const removed = (result: { observe(value: number): void }) => result.observe(99);
    gauge.addCallback(kept);
    gauge.addCallback(removed);
    gauge.removeCallback(removed);
    const counter = meter.createObservableCounter('cpu_seconds');
    const upDown = meter.createObservableUpDownCounter('connections');
    meter.addBatchObservableCallback((result) => {
      result.observe(counter, 1.5, { mode: 'user' });
      result.observe(upDown, 4);
    }, [counter, upDown]);

    const { meterProvider, reader } = createPrometheusMeterProvider();
    deferred.bind(meterProvider);
    const metrics = await collect(reader);
    expect(pointValues(metrics.get('queue_depth'))).toEqual([{ attributes: {}, value: 7 }]);
    expect(pointValues(metrics.get('cpu_seconds'))).toEqual([{ attributes: { mode: 'user' }, value: 1.5 }]);
    expect(pointValues(metrics.get('connections'))).toEqual([{ attributes: {}, value: 4 }]);
    await meterProvider.shutdown();
  });

  it('after binding, meters are the SDK\'s own', async () => {
    const deferred = new DeferredMeterProvider();
    const { meterProvider, reader } = createPrometheusMeterProvider();
    deferred.bind(meterProvider);
    expect(deferred.getMeter('late')).toBe(meterProvider.getMeter('late'));
    deferred.getMeter('late').createCounter('late_total').add(2);
    expect(pointValues((await collect(reader)).get('late_total'))).toEqual([{ attributes: {}, value: 2 }]);
    await meterProvider.shutdown();
  });

  it('asks for the SDK once when the backlog is reached, and still keeps every measurement', async () => {
    let asked = 0;
    const deferred = new DeferredMeterProvider({ backlog: 100, onBacklog: () => asked++ });
    const counter = deferred.getMeter('app').createCounter('busy');
    for (let i = 0; i < 250; i++) counter.add(1);
    expect(asked).toBe(1);
    const { meterProvider, reader } = createPrometheusMeterProvider();
    deferred.bind(meterProvider);
    expect(pointValues((await collect(reader)).get('busy'))).toEqual([{ attributes: {}, value: 250 }]);
    await meterProvider.shutdown();
  });
});

describe('the span metrics store without the metrics SDK', () => {
  it("its copied enum values are the SDK's", () => {
    expect(CUMULATIVE).toBe(AggregationTemporality.CUMULATIVE);
    expect(HISTOGRAM).toBe(DataPointType.HISTOGRAM);
    expect(GAUGE).toBe(DataPointType.GAUGE);
    expect(SUM).toBe(DataPointType.SUM);
  });

  it('keeps at most maxKept measurements before binding: later ones are dropped and counted, the kept ones replayed', async () => {
    let dropped = 0;
    let backlog = 0;
    const deferred = new DeferredMeterProvider({ backlog: 10, maxKept: 50, onBacklog: () => backlog++, onDropped: () => dropped++ });
    const counter = deferred.getMeter('app').createCounter('requests');
    for (let i = 0; i < 80; i++) counter.add(1);
    expect([deferred.keptCount, dropped, backlog]).toEqual([50, 30, 1]);
    const { meterProvider, reader } = createPrometheusMeterProvider();
    deferred.bind(meterProvider);
    expect(deferred.keptCount).toBe(0);
    counter.add(1);
    expect(pointValues((await collect(reader)).get('requests'))).toEqual([{ attributes: {}, value: 51 }]);
    expect(dropped).toBe(30);
  });

  it('discard: a provider that will never bind lets go of what it kept and keeps nothing more', () => {
    let dropped = 0;
    const deferred = new DeferredMeterProvider({ maxKept: 100, onDropped: () => dropped++ });
    const histogram = deferred.getMeter('app').createHistogram('duration');
    for (let i = 0; i < 60; i++) histogram.record(i);
    deferred.discard();
    for (let i = 0; i < 1000; i++) histogram.record(i);
    deferred.getMeter('late').createCounter('after').add(1);
    expect([deferred.keptCount, dropped]).toEqual([0, 0]);
    deferred.bind(createPrometheusMeterProvider().meterProvider); // too late: ignored
    expect(deferred.bound).toBe(false);
  });
});
