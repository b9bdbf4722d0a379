/** Reads agent_bridge_context_dropped_total{reason} through a real Prometheus meter provider bound to the self metrics. */
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { bindSelfMetrics, unbindSelfMetrics } from '../../../src/self-metrics.js';
import { parseExposition, total } from '../../helpers/exposition.js';

export interface DropCounter {
  count(reason: string): Promise<number>;
  close(): Promise<void>;
}

export function countContextDrops(): DropCounter {
  unbindSelfMetrics();
  const { meterProvider, reader } = createPrometheusMeterProvider();
  bindSelfMetrics(meterProvider);
  return {
    async count(reason) {
      const samples = parseExposition(new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics));
      return total(samples, 'agent_bridge_context_dropped_total', { reason });
    },
    async close() {
      unbindSelfMetrics(meterProvider);
      await meterProvider.shutdown();
    },
  };
}
