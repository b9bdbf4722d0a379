/**
 * The bridge's span path for metrics tests, without the bridge: a real TracerProvider with the bridge's sampler
 * at a trace sampling rate, the span-metrics processor on a real Prometheus endpoint (loopback HTTP), an
 * in-memory exporter for the sampled spans, registered globally like the preload does (so the agent helpers use it).
 */
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { expect } from 'vitest';
import { startPrometheusExporter } from '../../../exporters/prometheus.js';
import { SpanMetricsProcessor, type SpanMetricsProcessorOptions } from '../../../src/processors/span-metrics.js';
import { createBridgeSampler } from '../../../src/sampling/index.js';
import { get, parseExposition, type Sample } from '../../helpers/exposition.js';

export interface SpanPath {
  tracer: Tracer;
  /** GET /metrics, parsed. */
  scrape(): Promise<Sample[]>;
  /** The spans sampling let through to the exporter. */
  exported(): ReadableSpan[];
  close(): Promise<void>;
}

export async function startSpanPath(rate: number, options: Omit<SpanMetricsProcessorOptions, 'store'> = {}): Promise<SpanPath> {
  const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false });
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: createBridgeSampler({ rootRate: rate, rootRateSource: 'environment', explicit: undefined, rules: [] }),
    spanProcessors: [new SpanMetricsProcessor({ store: endpoint.spanMetrics, ...options }), new SimpleSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer('test'),
    async scrape() {
      const res = await get(endpoint.url!);
      expect(res.status).toBe(200);
      return parseExposition(res.body);
    },
    exported: () => exporter.getFinishedSpans(),
    async close() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      await endpoint.close();
    },
  };
}
