/**
 * Sampled spans → batch → exporter, with every outcome counted in `agent_bridge_spans_total`
 * (exported / failed by the exporter's result, dropped when the batch queue is full).
 */
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BridgeConfig } from './config.js';
import { CountingBatchSpanProcessor } from './processors/counting-batch.js';

export function createExportPipeline(
  name: string,
  exporter: SpanExporter,
  batch: BridgeConfig['batch'],
  maxConcurrentExports?: number,
): SpanProcessor {
  return new CountingBatchSpanProcessor({ exporter, name, ...batch, maxConcurrentExports });
}
